package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
)

// readAllSQL reads the next positions of $all, all of them whatever the filter (the hole logic
// must see every position), but the body only of the rows the filter selects. $3 and $4 are
// LIKE patterns (escaped prefixes followed by %), $5 exact types; empty arrays select
// everything.
const readAllSQL = `
SELECT x.position, x.event_id, x.stream_id, x.revision, x.type, x.recorded_at, x.m,
       CASE WHEN x.m THEN x.data END, CASE WHEN x.m THEN x.metadata END, CASE WHEN x.m THEN x.hash END
  FROM (SELECT e.*,
               (e.stream_id NOT LIKE '$%' AND e.type NOT LIKE '$%'
                AND (cardinality($3::text[]) = 0 OR e.stream_id LIKE ANY ($3::text[]))
                AND (cardinality($4::text[]) = 0 OR e.type LIKE ANY ($4::text[]))
                AND (cardinality($5::text[]) = 0 OR e.type = ANY ($5::text[]))) AS m
          FROM events e
         WHERE e.position > $1
         ORDER BY e.position
         LIMIT $2) x
 ORDER BY x.position`

// minScan is the smallest number of positions read per query when a filter may skip many.
const minScan = 256

// waitForever makes readAll wait for a hole proof as long as its context allows.
const waitForever time.Duration = -1

// ReadAll returns at most max events of $all after from that match filter; see
// eventstore.Store. It stops before an append still in flight below newer events, waiting at
// most Options.ReadAllHoleWait for it, so it may return fewer events than exist.
func (s *Store) ReadAll(ctx context.Context, from eventstore.Position, max int, filter eventstore.Filter) ([]eventstore.RecordedEvent, error) {
	events, _, err := s.ScanAll(ctx, from, max, filter)
	return events, err
}

// ScanAll is ReadAll that also returns the position up to which it looked; see
// eventstore.Scanner.
func (s *Store) ScanAll(ctx context.Context, from eventstore.Position, max int, filter eventstore.Filter) ([]eventstore.RecordedEvent, eventstore.Position, error) {
	var events []eventstore.RecordedEvent
	through := from
	err := s.retry(ctx, func() error {
		var err error
		events, through, err = s.readAll(ctx, from, max, filter, s.opts.ReadAllHoleWait)
		return err
	})
	if err != nil {
		return nil, from, fmt.Errorf("read $all after %d: %w", from, err)
	}
	return events, through, nil
}

// readAll is the gap-free $all reader behind ReadAll and subscriptions. It returns the events
// matching filter and the position through which it has looked (scanned >= the last event's
// position): no event at or below scanned can appear later. holeWait bounds the wait for a
// hole proof (waitForever: until ctx ends); after it, readAll returns what it has.
func (s *Store) readAll(ctx context.Context, from eventstore.Position, max int, filter eventstore.Filter, holeWait time.Duration) ([]eventstore.RecordedEvent, eventstore.Position, error) {
	if max <= 0 || uint64(from) >= math.MaxInt64 {
		return nil, from, nil
	}
	streams, types := likePatterns(filter.StreamPrefixes), likePatterns(filter.TypePrefixes)
	exact := append([]string{}, filter.Types...) // never nil: NULL would select nothing
	limit := max
	if len(streams) > 0 || len(types) > 0 || len(exact) > 0 {
		limit = maxInt(max, minScan)
	}
	var events []eventstore.RecordedEvent
	cursor := from
	for {
		settled := eventstore.Position(s.settled.Load()) // before the query's snapshot: see doc.go
		rows, err := s.pool.Query(ctx, readAllSQL, int64(cursor), limit, streams, types, exact)
		if err != nil {
			return events, cursor, unavailable(err)
		}
		n, hole, top := 0, false, cursor
		var row eventstore.RecordedEvent
		var id uuid.UUID
		var matched bool
		var data, meta, hash []byte
		var pos, rev int64
		var decodeErr error
		_, err = pgx.ForEachRow(rows, []any{&pos, &id, &row.Stream, &rev, &row.Type, &row.RecordedAt, &matched, &data, &meta, &hash}, func() error {
			n++
			p := eventstore.Position(pos)
			top = p
			if hole || len(events) == max {
				return nil
			}
			if p > settled && p != cursor+1 {
				hole = true // positions between cursor and p may still commit
				return nil
			}
			cursor = p
			if !matched {
				return nil
			}
			ev := row
			ev.ID, ev.Revision, ev.Position = id, uint64(rev), p
			ev.Data = json.RawMessage(data)
			ev.RawMetadata, ev.Hash = json.RawMessage(meta), hash
			ev.ValidJSON = true // json columns (see eventstore.RecordedEvent.ValidJSON)
			if err := eventstore.DecodeMetadata(meta, &ev.Metadata, true); err != nil {
				decodeErr = fmt.Errorf("decode metadata of event at position %d: %w", p, err)
				return decodeErr
			}
			events = append(events, ev)
			return nil
		})
		if decodeErr != nil {
			return events, cursor, decodeErr
		}
		if err != nil {
			return events, cursor, unavailable(err)
		}
		switch {
		case len(events) == max:
			return events, cursor, nil
		case !hole && n < limit:
			return events, cursor, nil // end of the committed log
		case !hole:
			continue // a full page without enough matches: read on
		case len(events) > 0:
			return events, cursor, nil // deliver what is safe now; the hole is for the next call
		}
		// Nothing to deliver before a hole: prove it (wait for the appends in flight), then
		// read again with a snapshot in which every position up to top is final.
		if err := s.awaitSettledWithin(ctx, top, holeWait); err != nil {
			if errors.Is(err, errHoleWaitExpired) {
				return events, cursor, nil
			}
			return events, cursor, err
		}
	}
}

// errHoleWaitExpired reports that a bounded wait for a hole proof ran out.
var errHoleWaitExpired = errors.New("hole wait expired")

func (s *Store) awaitSettledWithin(ctx context.Context, target eventstore.Position, wait time.Duration) error {
	if wait == waitForever {
		return s.awaitSettled(ctx, target)
	}
	wctx, cancel := context.WithTimeoutCause(ctx, wait, errHoleWaitExpired)
	defer cancel()
	err := s.awaitSettled(wctx, target)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(wctx), errHoleWaitExpired) {
		return errHoleWaitExpired
	}
	return err
}

// likeEscaper escapes LIKE's wildcards and its default escape character. A Replacer is safe
// for concurrent use and never changes; building one per read cost 7 % of a busy posd's CPU
// (every subscription reads $all with a filter on every wake-up).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likePatterns turns prefixes into LIKE patterns, escaping LIKE's wildcards and its default
// escape character. It never returns nil (NULL would select nothing).
func likePatterns(prefixes []string) []string {
	out := make([]string, 0, len(prefixes))
	for _, p := range prefixes {
		out = append(out, likeEscaper.Replace(p)+"%")
	}
	return out
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
