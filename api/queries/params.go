package queries

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/projections/readkit"
)

// params reads query parameters, collecting every problem (and every parameter nobody read)
// so that one 400 lists them all.
type params struct {
	q    url.Values
	read map[string]bool
	errs []httpx.FieldError
}

func newParams(r *http.Request) *params {
	return &params{q: r.URL.Query(), read: map[string]bool{}}
}

func (p *params) bad(name, msg string) {
	p.errs = append(p.errs, httpx.FieldError{Field: name, Message: msg})
}

// str returns the parameter's value ("" when absent); a repeated parameter is an error.
func (p *params) str(name string) string {
	p.read[name] = true
	vs := p.q[name]
	if len(vs) > 1 {
		p.bad(name, "must be given once")
	}
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func (p *params) uuid(name string) uuid.UUID {
	v := p.str(name)
	if v == "" {
		return uuid.Nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		p.bad(name, "must be a UUID")
	}
	return id
}

func (p *params) bool(name string) *bool {
	v := p.str(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.bad(name, "must be true or false")
		return nil
	}
	return &b
}

func (p *params) int64(name string) *int64 {
	v := p.str(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		p.bad(name, "must be a non-negative integer")
		return nil
	}
	return &n
}

func (p *params) enum(name string, allowed []string) string {
	v := p.str(name)
	if v != "" && !slices.Contains(allowed, v) {
		p.bad(name, "must be one of "+strings.Join(allowed, ", "))
	}
	return v
}

// time reads an RFC 3339 time or a date (YYYY-MM-DD, a UTC day). A date as the upper bound
// ("to") includes the whole day: the bound returned is the start of the next day (exclusive).
func (p *params) time(name string, upper bool) time.Time {
	v := p.str(name)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		p.bad(name, "must be an RFC 3339 time or a date (YYYY-MM-DD)")
		return time.Time{}
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// page reads limit, cursor and sort.
func (p *params) page() readkit.Request {
	req := readkit.Request{Cursor: p.str("cursor"), Sort: p.str("sort")}
	if v := p.str("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > readkit.MaxLimit {
			p.bad("limit", "must be an integer between 1 and "+strconv.Itoa(readkit.MaxLimit))
		} else {
			req.Limit = n
		}
	}
	return req
}

// err returns the collected problems, plus one per parameter that was not read, as a 400.
func (p *params) err() error {
	var unknown []string
	for name := range p.q {
		if !p.read[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		p.bad(name, "is not a parameter of this list")
	}
	if len(p.errs) == 0 {
		return nil
	}
	return httpx.Invalid(p.errs...)
}
