package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/eventstore"
	evaudit "github.com/odata-pos/pos/eventstore/audit"
)

// Page sizes of the audit lists.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Handlers serves the audit routes. Store, DB, Codec, Authorizer, Responder and Key or
// SigningKey are required.
type Handlers struct {
	Store eventstore.Store
	// DB holds the audit checkpoints (and, with PostgreSQL events, the events table).
	DB *pgxpool.Pool
	// Key is the checkpoint key; when empty it is derived from SigningKey
	// (eventstore/audit.DeriveKey).
	Key        []byte
	SigningKey []byte
	// Codec decodes events for the state folds (commands.NewCodec()).
	Codec *eventstore.Codec
	// Reader answers /audit/events; nil picks the SQL reader when Store is the PostgreSQL
	// store over DB (PGEvents), else the generic $all reader.
	Reader evaudit.Reader
	// PGEvents says that the events live in DB (pgstore): faster queries, and verify also
	// checks the streams table.
	PGEvents   bool
	Authorizer *authz.Authorizer
	Responder  *httpx.Responder
	Now        func() time.Time
}

// Register adds the audit routes (permission audit.read) to routes.
func (h *Handlers) Register(routes *authz.Routes) error {
	if h.Store == nil || h.DB == nil || h.Codec == nil || h.Responder == nil {
		return errors.New("api/audit: Store, DB, Codec and Responder are required")
	}
	if len(h.Key) == 0 {
		k, err := evaudit.DeriveKey(h.SigningKey)
		if err != nil {
			return fmt.Errorf("api/audit: %w", err)
		}
		h.Key = k
	}
	if h.Reader == nil {
		if h.PGEvents {
			h.Reader = &evaudit.PGReader{DB: h.DB, Store: h.Store}
		} else {
			h.Reader = &evaudit.StoreReader{Store: h.Store}
		}
	}
	if h.Now == nil {
		h.Now = time.Now
	}
	read := authz.Perm(authz.AuditRead)
	rs := h.Responder
	routes.Handle(http.MethodGet, "/audit/events", read, rs.Handle(h.recorded(h.events)))
	routes.Handle(http.MethodGet, "/audit/streams/{stream}", read, rs.Handle(h.recorded(h.stream)))
	routes.Handle(http.MethodGet, "/audit/streams/{stream}/state", read, rs.Handle(h.recorded(h.state)))
	routes.Handle(http.MethodGet, "/audit/streams/{stream}/diff", read, rs.Handle(h.recorded(h.diff)))
	routes.Handle(http.MethodGet, "/audit/verify", read, rs.Handle(h.recorded(h.verify)))
	return nil
}

// list is the shape of every list answer.
type list struct {
	Items      []EventView `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

func (h *Handlers) events(w http.ResponseWriter, r *http.Request) error {
	p := params{q: r.URL.Query()}
	q := evaudit.Query{
		After: eventstore.Position(p.uint("cursor", p.uint("after", 0))), Limit: p.limit(),
		Type: p.str("type"), Stream: p.str("stream"), Category: p.str("category"),
		UserID: p.str("user_id"), StoreID: p.str("store_id"),
		From: p.time("from"), To: p.time("to"), Axis: evaudit.AxisRecorded,
	}
	switch axis := p.str("time"); axis {
	case "", evaudit.AxisRecorded:
	case evaudit.AxisOccurred:
		q.Axis = axis
	default:
		p.fail("time", "must be occurred or recorded")
	}
	if err := p.err(); err != nil {
		return err
	}
	page, err := h.Reader.Events(r.Context(), q)
	if err != nil {
		return unavailable(err)
	}
	out := list{Items: views(page.Events)}
	if page.Next != 0 {
		out.NextCursor = strconv.FormatUint(uint64(page.Next), 10)
	}
	return httpx.JSON(w, http.StatusOK, out)
}

func (h *Handlers) stream(w http.ResponseWriter, r *http.Request) error {
	stream := mux.Vars(r)["stream"]
	p := params{q: r.URL.Query()}
	from, limit := p.uint("cursor", 0), p.limit()
	if err := p.err(); err != nil {
		return err
	}
	evs, err := h.Store.ReadStream(r.Context(), stream, eventstore.Forwards, from, limit+1)
	if err != nil {
		return readError(stream, err)
	}
	out := list{}
	if len(evs) > limit {
		evs = evs[:limit]
		out.NextCursor = strconv.FormatUint(evs[limit-1].Revision+1, 10)
	}
	out.Items = views(evs)
	return httpx.JSON(w, http.StatusOK, out)
}

func (h *Handlers) verify(w http.ResponseWriter, r *http.Request) error {
	p := params{q: r.URL.Query()}
	var expect []evaudit.Checkpoint
	for _, v := range p.q["expect"] {
		cp, err := evaudit.ParseSeal(v)
		if err != nil {
			p.fail("expect", "must be a seal posseal1:<position>:<event count>:<chain hash>:<mac> as posd publishes it")
			continue
		}
		expect = append(expect, cp)
	}
	if err := p.err(); err != nil {
		return err
	}
	rep, err := evaudit.Verify(r.Context(), h.Store, h.DB, h.Key, evaudit.Options{StreamTable: h.PGEvents, Expect: expect})
	if err != nil {
		return unavailable(err)
	}
	return httpx.JSON(w, http.StatusOK, rep)
}

// readError maps a stream read failure.
func readError(stream string, err error) error {
	switch {
	case errors.Is(err, eventstore.ErrStreamNotFound):
		return httpx.NotFound("stream_not_found", fmt.Sprintf("stream %q has no events", stream))
	case errors.Is(err, eventstore.ErrStreamDeleted):
		return httpx.NotFound("stream_deleted", fmt.Sprintf("stream %q was deleted; its events remain in /audit/events", stream))
	}
	return unavailable(err)
}

func unavailable(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return httpx.Unavailable("event_store_unavailable", "the event store did not answer", err)
}

// params parses query parameters, collecting every problem.
type params struct {
	q    map[string][]string
	errs []httpx.FieldError
}

func (p *params) str(name string) string {
	if v := p.q[name]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
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

func (p *params) uint(name string, def uint64) uint64 {
	v := p.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil {
		p.fail(name, "must be a non-negative integer")
	}
	return n
}

func (p *params) limit() int {
	n := p.uint("limit", DefaultLimit)
	if n < 1 || n > MaxLimit {
		p.fail("limit", fmt.Sprintf("must be between 1 and %d", MaxLimit))
		return DefaultLimit
	}
	return int(n)
}

func (p *params) time(name string) time.Time {
	v := p.str(name)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d
	}
	p.fail(name, "must be an RFC 3339 time or a date (2006-01-02, UTC)")
	return time.Time{}
}
