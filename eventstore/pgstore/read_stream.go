package pgstore

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
)

// readStreamSQL returns the stream's row (to tell "not found" and "deleted" apart from "no
// events in range") joined with one page of its events, in one statement and so one snapshot.
const (
	readStreamForwardSQL = `
SELECT s.deleted, s.revision, e.position, e.event_id, e.revision, e.type, e.data, e.metadata, e.recorded_at, e.hash
  FROM streams s
  LEFT JOIN LATERAL (
        SELECT * FROM events e
         WHERE e.stream_id = s.stream_id AND e.revision >= $2
         ORDER BY e.revision
         LIMIT $3) e ON true
 WHERE s.stream_id = $1
 ORDER BY e.revision`

	readStreamBackwardSQL = `
SELECT s.deleted, s.revision, e.position, e.event_id, e.revision, e.type, e.data, e.metadata, e.recorded_at, e.hash
  FROM streams s
  LEFT JOIN LATERAL (
        SELECT * FROM events e
         WHERE e.stream_id = s.stream_id AND e.revision <= $2
         ORDER BY e.revision DESC
         LIMIT $3) e ON true
 WHERE s.stream_id = $1
 ORDER BY e.revision DESC`
)

// ReadStream returns at most max events of stream from revision from (inclusive) in the given
// direction; see eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, max int) ([]eventstore.RecordedEvent, error) {
	var events []eventstore.RecordedEvent
	err := s.retry(ctx, func() error {
		var err error
		events, err = s.readStream(ctx, stream, dir, from, max)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	return events, nil
}

func (s *Store) readStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, max int) ([]eventstore.RecordedEvent, error) {
	query := readStreamForwardSQL
	start := int64(math.MaxInt64)
	if from <= math.MaxInt64 {
		start = int64(from)
	}
	if dir == eventstore.Backwards {
		query = readStreamBackwardSQL
	} else if from > math.MaxInt64 {
		start = math.MaxInt64 // nothing is stored that far: an empty, but checked, read
	}
	limit := max
	if limit < 0 {
		limit = 0
	}
	rows, err := s.pool.Query(ctx, query, stream, start, limit)
	if err != nil {
		return nil, unavailable(err)
	}
	var (
		found     bool
		row       streamRow
		events    []eventstore.RecordedEvent
		decodeErr error
	)
	_, err = pgx.ForEachRow(rows, row.targets(), func() error {
		found = true
		ev, ok, err := row.event(stream, false)
		if err != nil {
			decodeErr = err
			return err
		}
		if ok {
			events = append(events, ev)
		}
		return nil
	})
	switch {
	case decodeErr != nil:
		return nil, decodeErr
	case err != nil:
		return nil, unavailable(err)
	case !found || (!row.deleted && row.streamRev < 0):
		return nil, eventstore.ErrStreamNotFound
	case row.deleted:
		return nil, eventstore.ErrStreamDeleted
	}
	if events == nil {
		events = []eventstore.RecordedEvent{}
	}
	s.tips.noteRead(stream, row.streamRev, events)
	return events, nil
}
