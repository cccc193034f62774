package reports

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/projections/reports"
)

// Page sizes of report answers.
const (
	DefaultLimit = 500
	MaxLimit     = 10000
)

// params parses and validates the query string, collecting every problem.
type params struct {
	r    *http.Request
	errs []httpx.FieldError
}

func (p *params) fail(field, msg string) {
	p.errs = append(p.errs, httpx.FieldError{Field: field, Message: msg})
}

func (p *params) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return httpx.Invalid(p.errs...)
}

// bound parses a date (2006-01-02) or an RFC 3339 time into day or ts.
func (p *params) bound(name string, day, ts **time.Time) {
	v := strings.TrimSpace(p.r.URL.Query().Get(name))
	if v == "" {
		return
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		*day = &d
		return
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		*ts = &t
		return
	}
	p.fail(name, "must be a date (2006-01-02) or an RFC 3339 time")
}

func (p *params) rangeOf() reports.Range {
	var rg reports.Range
	p.bound("from", &rg.FromDay, &rg.FromTime)
	p.bound("to", &rg.ToDay, &rg.ToTime)
	return rg
}

// page reads limit and cursor (an opaque offset).
func (p *params) page() reports.Page {
	pg := reports.Page{Limit: DefaultLimit}
	q := p.r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			p.fail("limit", "must be between 1 and "+strconv.Itoa(MaxLimit))
		} else {
			pg.Limit = n
		}
	}
	if v := q.Get("cursor"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "o:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "o:") || n < 0 {
			p.fail("cursor", "is not a cursor of this report")
		} else {
			pg.Offset = n
		}
	}
	return pg
}

func nextCursor(pg reports.Page) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(pg.Offset+pg.Limit)))
}

// oneOf reads a parameter that must be one of allowed (def when absent).
func (p *params) oneOf(name, def string, allowed []string) string {
	v := p.r.URL.Query().Get(name)
	if v == "" {
		return def
	}
	if !slices.Contains(allowed, v) {
		p.fail(name, "must be one of "+strings.Join(allowed, ", "))
	}
	return v
}

// uuidParam reads an optional UUID parameter.
func (p *params) uuidParam(name string) *uuid.UUID {
	v := p.r.URL.Query().Get(name)
	if v == "" {
		return nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		p.fail(name, "must be a UUID")
		return nil
	}
	return &id
}

// scope returns the stores the caller may see, narrowed to store_id when given (checked).
func (h *Handlers) scope(r *http.Request, p *params) (reports.Scope, error) {
	if id := p.uuidParam("store_id"); id != nil {
		if err := h.Authorizer.CheckStore(r, id.String()); err != nil {
			return reports.Scope{}, err
		}
		return reports.Scope{Stores: []uuid.UUID{*id}}, nil
	}
	pr, ok := authz.PrincipalFrom(r.Context())
	if !ok {
		return reports.Scope{}, httpx.Unauthorized(authz.CodeUnauthenticated, "authentication required")
	}
	if len(pr.StoreIDs) == 0 && pr.InStore("") {
		return reports.Scope{}, nil // every store
	}
	s := reports.Scope{Stores: []uuid.UUID{}}
	for _, v := range pr.StoreIDs {
		if id, err := uuid.Parse(v); err == nil {
			s.Stores = append(s.Stores, id)
		}
	}
	return s, nil
}

// scopeKey names a scope in cache keys.
func scopeKey(s reports.Scope) string {
	if s.Stores == nil {
		return "all"
	}
	ids := make([]string, len(s.Stores))
	for i, id := range s.Stores {
		ids[i] = id.String()
	}
	slices.Sort(ids)
	return strings.Join(ids, ",")
}

// groupBy parses group_by of the sales report: a comma list of "day" and at most one of
// reports.Dimensions; default "day".
func (p *params) groupBy() (byDay bool, dim string) {
	v := p.r.URL.Query().Get("group_by")
	if v == "" {
		return true, ""
	}
	for _, g := range strings.Split(v, ",") {
		g = strings.TrimSpace(g)
		switch {
		case g == "day":
			byDay = true
		case slices.Contains(reports.Dimensions, g) && dim == "":
			dim = g
		default:
			p.fail("group_by", "must be day, "+strings.Join(reports.Dimensions, ", ")+" or day with one of them (e.g. day,product)")
			return
		}
	}
	return byDay, dim
}
