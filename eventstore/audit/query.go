package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
)

// Time axes of a Query: the client's time of the fact or the store's time of the append.
const (
	AxisOccurred = "occurred"
	AxisRecorded = "recorded"
)

// Query selects events of $all for the history API. Zero fields do not filter.
type Query struct {
	// After is the cursor: only events with a greater position.
	After eventstore.Position
	// Limit is the most events returned (1…500).
	Limit    int
	Type     string
	Stream   string
	Category string // a stream category such as "sale" (a trailing "-" is ignored)
	UserID   string
	StoreID  string
	// From (inclusive) and To (exclusive) bound the events' time on Axis (default recorded).
	// On the occurred axis, events without a client time never match a bound.
	From, To time.Time
	Axis     string
}

// Page is one page of a Query.
type Page struct {
	Events []eventstore.RecordedEvent
	// Next is the cursor of the next page; zero when this page is the last one for now.
	Next eventstore.Position
}

// Reader answers history queries.
type Reader interface {
	Events(ctx context.Context, q Query) (Page, error)
}

// OccurredAt returns the client time of e (its metadata), or its recorded time without one.
func OccurredAt(e *eventstore.RecordedEvent) time.Time {
	if e.Metadata.OccurredAt.IsZero() {
		return e.RecordedAt
	}
	return e.Metadata.OccurredAt
}

// matches applies the filters of q to e in Go (StoreReader, and the tests).
func (q Query) matches(e *eventstore.RecordedEvent) bool {
	cat := strings.TrimSuffix(q.Category, "-")
	switch {
	case q.Type != "" && e.Type != q.Type,
		q.Stream != "" && e.Stream != q.Stream,
		cat != "" && Category(e.Stream) != cat,
		q.UserID != "" && e.Metadata.UserID != q.UserID,
		q.StoreID != "" && e.Metadata.StoreID != q.StoreID:
		return false
	}
	t := e.RecordedAt
	if q.Axis == AxisOccurred {
		if t = e.Metadata.OccurredAt; t.IsZero() && (!q.From.IsZero() || !q.To.IsZero()) {
			return false
		}
	}
	return (q.From.IsZero() || !t.Before(q.From)) && (q.To.IsZero() || t.Before(q.To))
}

// Category is the category of a stream: its name up to the first "-" (pos_stream_category).
func Category(stream string) string {
	c, _, _ := strings.Cut(stream, "-")
	return c
}

// PGReader reads pgstore's events table directly, never past the store's gap-free head (so a
// cursor never skips an append in flight). Filters other than the stream use the indexed
// columns of audit_event_index, which the Checkpointer (with Index) maintains off the append
// path; the few events past its watermark are filtered on their JSON metadata.
type PGReader struct {
	DB    *pgxpool.Pool
	Store eventstore.Store

	mu    sync.Mutex
	ready bool
}

const eventColumns = `e.position, e.event_id, e.stream_id, e.revision, e.type, e.data, e.metadata, e.recorded_at, e.hash`

// Events answers q.
func (r *PGReader) Events(ctx context.Context, q Query) (Page, error) {
	if err := r.ensure(ctx); err != nil {
		return Page{}, err
	}
	head, err := r.Store.HeadPosition(ctx)
	if err != nil {
		return Page{}, err
	}
	w, err := indexWatermark(ctx, r.DB)
	if err != nil {
		return Page{}, err
	}
	args := []any{int64(q.After), int64(head), int64(w)}
	var idx, raw []string
	add := func(idxCond, rawCond string, v any) {
		args = append(args, v)
		n := len(args)
		idx = append(idx, fmt.Sprintf(idxCond, n))
		raw = append(raw, fmt.Sprintf(rawCond, n))
	}
	if q.Type != "" {
		add("i.type = $%d", "e.type = $%d", q.Type)
	}
	if c := strings.TrimSuffix(q.Category, "-"); c != "" {
		add("i.category = $%d", "split_part(e.stream_id, '-', 1) = $%d", c)
	}
	if q.UserID != "" {
		add("i.user_id = $%d", "e.metadata->>'user_id' = $%d", q.UserID)
	}
	if q.StoreID != "" {
		add("i.store_id = $%d", "e.metadata->>'store_id' = $%d", q.StoreID)
	}
	idxTime, rawTime := "i.recorded_at", "e.recorded_at"
	if q.Axis == AxisOccurred { // events without a client time never match a bound
		idxTime, rawTime = "i.occurred_at", "(e.metadata->>'occurred_at')::timestamptz"
	}
	if !q.From.IsZero() {
		add(idxTime+" >= $%d", rawTime+" >= $%d", q.From)
	}
	if !q.To.IsZero() {
		add(idxTime+" < $%d", rawTime+" < $%d", q.To)
	}
	args = append(args, q.Limit+1)
	lim := fmt.Sprintf("$%d", len(args))
	and := func(conds []string) string {
		if len(conds) == 0 {
			return ""
		}
		return " AND (" + strings.Join(conds, ") AND (") + ")"
	}
	var sql string
	if q.Stream != "" || len(idx) == 0 {
		// The stream's own index (stream_id, revision) or plain position order: no side index.
		cond := "e.position > $1 AND e.position <= $2 AND $3::bigint >= 0" + and(raw)
		if q.Stream != "" {
			args = append(args, q.Stream)
			cond += fmt.Sprintf(" AND e.stream_id = $%d", len(args))
		}
		sql = `SELECT ` + eventColumns + ` FROM events e WHERE ` + cond + ` ORDER BY e.position LIMIT ` + lim
	} else {
		sql = `SELECT ` + eventColumns + ` FROM (
			(SELECT e.* FROM audit_event_index i JOIN events e ON e.position = i.position
			  WHERE i.position > $1 AND i.position <= least($2::bigint, $3::bigint)` + and(idx) + `
			  ORDER BY i.position LIMIT ` + lim + `)
			UNION ALL
			(SELECT e.* FROM events e
			  WHERE e.position > greatest($1::bigint, $3::bigint) AND e.position <= $2` + and(raw) + `
			  ORDER BY e.position LIMIT ` + lim + `)) e
		 ORDER BY e.position LIMIT ` + lim
	}
	rows, err := r.DB.Query(ctx, sql, args...)
	if err != nil {
		return Page{}, fmt.Errorf("audit events: %w", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return Page{}, err
	}
	var p Page
	if len(evs) > q.Limit {
		evs = evs[:q.Limit]
		p.Next = evs[q.Limit-1].Position
	}
	p.Events = evs
	return p, nil
}

// ensure creates the audit tables once.
func (r *PGReader) ensure(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ready {
		return nil
	}
	if err := EnsureSchema(ctx, r.DB); err != nil {
		return err
	}
	r.ready = true
	return nil
}

// scanEvents reads rows of (position, event_id, stream_id, revision, type, data, metadata,
// recorded_at, hash).
func scanEvents(rows pgx.Rows) ([]eventstore.RecordedEvent, error) {
	out := []eventstore.RecordedEvent{}
	var (
		pos, rev   int64
		id         uuid.UUID
		stream, tp string
		data, meta []byte
		at         time.Time
		hash       []byte
	)
	_, err := pgx.ForEachRow(rows, []any{&pos, &id, &stream, &rev, &tp, &data, &meta, &at, &hash}, func() error {
		e := eventstore.RecordedEvent{
			ID: id, Type: tp, Stream: stream, Revision: uint64(rev), Position: eventstore.Position(pos),
			Data: json.RawMessage(data), RawMetadata: json.RawMessage(meta), RecordedAt: at, Hash: hash,
		}
		_ = json.Unmarshal(meta, &e.Metadata) // raw metadata is what auditors see; tolerate odd rows
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit events: %w", err)
	}
	return out, nil
}

// StoreReader answers queries over any eventstore.Store (EventStoreDB) by reading $all with a
// prefix filter and filtering the rest in Go. One call scans at most MaxScan events; it then
// returns what it found with a cursor to go on.
type StoreReader struct {
	Store   eventstore.Store
	MaxScan int // default 20000
}

// Events answers q.
func (r *StoreReader) Events(ctx context.Context, q Query) (Page, error) {
	maxScan := r.MaxScan
	if maxScan <= 0 {
		maxScan = 20000
	}
	var f eventstore.Filter
	switch {
	case q.Stream != "":
		f.StreamPrefixes = []string{q.Stream}
	case q.Category != "":
		f.StreamPrefixes = []string{strings.TrimSuffix(q.Category, "-") + "-"}
	}
	if q.Type != "" {
		f.Types = []string{q.Type}
	}
	p := Page{Events: []eventstore.RecordedEvent{}}
	cursor, scanned := q.After, 0
	for scanned < maxScan {
		const page = 1000
		evs, err := r.Store.ReadAll(ctx, cursor, page, f)
		if err != nil {
			return Page{}, err
		}
		for i := range evs {
			cursor = evs[i].Position
			if !q.matches(&evs[i]) {
				continue
			}
			if len(p.Events) == q.Limit {
				p.Next = p.Events[len(p.Events)-1].Position
				return p, nil
			}
			p.Events = append(p.Events, evs[i])
		}
		scanned += len(evs)
		if len(evs) < page {
			return p, nil
		}
	}
	p.Next = cursor
	return p, nil
}
