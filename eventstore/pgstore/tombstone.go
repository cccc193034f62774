package pgstore

import (
	"context"
	"fmt"

	"github.com/odata-pos/pos/eventstore"
)

// Tombstone deletes stream for good if expected holds; see eventstore.Store. The events stay in
// $all; reads and appends of the stream fail with eventstore.ErrStreamDeleted afterwards.
// Tombstoning a stream that does not exist (with Any or NoStream) reserves its name as deleted.
func (s *Store) Tombstone(ctx context.Context, stream string, expected eventstore.ExpectedRevision) error {
	if stream == "" {
		return fmt.Errorf("tombstone: %w: empty stream name", eventstore.ErrInvalidAppend)
	}
	exp, err := encodeExpected(expected)
	if err != nil {
		return fmt.Errorf("tombstone %s: %w", stream, err)
	}
	s.tips.forget(stream)
	// Not retried on a lost connection: a repeated tombstone would report ErrStreamDeleted.
	err = func() error {
		var status string
		var revision *int64
		err := s.pool.QueryRow(ctx, `SELECT status, revision FROM tombstone_stream($1, $2)`, stream, exp).
			Scan(&status, &revision)
		if err != nil {
			return unavailable(err)
		}
		switch status {
		case statusOK:
			return nil
		case statusDeleted:
			return eventstore.ErrStreamDeleted
		case statusWrongExpected:
			return &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: expected, Actual: actualRevision(revision)}
		}
		return fmt.Errorf("tombstone_stream returned unknown status %q", status)
	}()
	if err != nil {
		return fmt.Errorf("tombstone %s: %w", stream, err)
	}
	return nil
}
