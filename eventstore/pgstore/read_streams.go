package pgstore

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
)

var _ eventstore.MultiReader = (*Store)(nil)

// readStreamsSQL is readStreamForwardSQL for many streams at once ($1 names, $2 first
// revisions, $3 limits): each read's stream row joined with one page of its events, answered
// by the read's ordinal, in one statement and so one snapshot. A read whose stream has no row
// answers nothing. The statement is the function read_streams (migration 0005), whose plan
// is made once per connection and serves any table size; planned at every call, as before,
// it cost the database more to plan than to run.
const readStreamsSQL = `SELECT * FROM read_streams($1::text[], $2::bigint[], $3::int[])`

// ReadStreams reads every StreamRead in one round trip; see eventstore.MultiReader.
func (s *Store) ReadStreams(ctx context.Context, reads []eventstore.StreamRead) ([]eventstore.StreamPage, error) {
	var pages []eventstore.StreamPage
	err := s.retry(ctx, func() error {
		var err error
		pages, err = s.readStreams(ctx, reads)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %d streams: %w", len(reads), err)
	}
	return pages, nil
}

func (s *Store) readStreams(ctx context.Context, reads []eventstore.StreamRead) ([]eventstore.StreamPage, error) {
	pages := make([]eventstore.StreamPage, len(reads))
	if len(reads) == 0 {
		return pages, nil
	}
	var (
		streams = make([]string, len(reads))
		starts  = make([]int64, len(reads))
		limits  = make([]int32, len(reads))
	)
	for i, r := range reads {
		streams[i], starts[i] = r.Stream, math.MaxInt64 // nothing is stored that far: an empty, but checked, read
		if r.From <= math.MaxInt64 {
			starts[i] = int64(r.From)
		}
		limits[i] = int32(min(max(r.Max, 0), math.MaxInt32))
	}
	rows, err := s.pool.Query(ctx, readStreamsSQL, streams, starts, limits)
	if err != nil {
		return nil, unavailable(err)
	}
	var (
		ord            int64
		row            streamRow
		found          = make([]bool, len(reads))
		deletedStreams = make([]bool, len(reads))
		streamRevs     = make([]int64, len(reads))
		decodeErr      error
	)
	_, err = pgx.ForEachRow(rows, row.targets(&ord), func() error {
		i := int(ord - 1)
		found[i], deletedStreams[i], streamRevs[i] = row.streamRev >= 0 || row.deleted, row.deleted, row.streamRev
		ev, ok, err := row.event(reads[i].Stream, reads[i].NoMetadata)
		if err != nil {
			decodeErr = fmt.Errorf("read stream %s: %w", reads[i].Stream, err)
			return decodeErr
		}
		if ok {
			pages[i].Events = append(pages[i].Events, ev)
		}
		return nil
	})
	switch {
	case decodeErr != nil:
		return nil, decodeErr
	case err != nil:
		return nil, unavailable(err)
	}
	for i := range pages {
		switch {
		case !found[i]:
			pages[i].Err = fmt.Errorf("read stream %s: %w", reads[i].Stream, eventstore.ErrStreamNotFound)
		case deletedStreams[i]:
			pages[i].Err = fmt.Errorf("read stream %s: %w", reads[i].Stream, eventstore.ErrStreamDeleted)
		case pages[i].Events == nil:
			pages[i].Events = []eventstore.RecordedEvent{}
		default:
			s.tips.noteRead(reads[i].Stream, streamRevs[i], pages[i].Events)
		}
	}
	return pages, nil
}
