package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odata-pos/pos/eventstore"
)

// Encoding of ExpectedRevision for append_events and tombstone_stream.
const (
	expectAny          int64 = -1
	expectNoStream     int64 = -2
	expectStreamExists int64 = -3
)

// Statuses returned by append_events and tombstone_stream.
const (
	statusOK            = "ok"
	statusWrongExpected = "wrong_expected"
	statusDeleted       = "deleted"
	statusDuplicateID   = "duplicate_event_id"
)

const appendSQL = `SELECT status, revision, position, last_hash FROM append_events($1, $2, $3, $4, $5, $6)`

// Append appends events to stream in one round trip to the server; see eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events []eventstore.EventData) (eventstore.AppendResult, error) {
	args, err := appendArgs(stream, expected, events)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	var (
		res  eventstore.AppendResult
		last appendReply
	)
	err = s.retry(ctx, func() error {
		for race := 0; ; race++ {
			r := s.appendOnce(ctx, args)
			last = r
			if err := r.err; err != nil {
				if errors.Is(err, errIDRace) {
					if race == 0 {
						continue // the committed events now answer: idempotent retry or duplicate
					}
					return eventstore.ErrDuplicateEventID
				}
				return err
			}
			var err error
			res, err = appendOutcome(stream, expected, r.status, r.revision, r.position)
			return err
		}
	})
	if err != nil {
		s.tips.forget(stream)
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	s.tips.putHash(stream, *last.revision, last.hash)
	s.noteAppended(res.Position)
	return res, nil
}

// appendArgs validates an append and encodes it as the arguments of append_events.
func appendArgs(stream string, expected eventstore.ExpectedRevision, events []eventstore.EventData) ([]any, error) {
	if stream == "" {
		return nil, fmt.Errorf("%w: empty stream name", eventstore.ErrInvalidAppend)
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%w: no events", eventstore.ErrInvalidAppend)
	}
	exp, err := encodeExpected(expected)
	if err != nil {
		return nil, err
	}
	ids := make([]pgtype.UUID, len(events))
	types := make([]string, len(events))
	data := make([]string, len(events))
	meta := make([]string, len(events))
	var seen map[uuid.UUID]struct{}
	if len(events) > 1 {
		seen = make(map[uuid.UUID]struct{}, len(events))
	}
	for i, e := range events {
		switch {
		case e.ID == uuid.Nil:
			return nil, fmt.Errorf("%w: event %d has no id", eventstore.ErrInvalidAppend, i)
		case e.Type == "":
			return nil, fmt.Errorf("%w: event %d (%s) has no type", eventstore.ErrInvalidAppend, i, e.ID)
		case !e.ValidJSON && !json.Valid(e.Data):
			return nil, fmt.Errorf("%w: event %d (%s) data is not valid JSON", eventstore.ErrInvalidAppend, i, e.ID)
		}
		if seen != nil {
			if _, dup := seen[e.ID]; dup {
				return nil, fmt.Errorf("%w: %s appears twice in one append", eventstore.ErrDuplicateEventID, e.ID)
			}
			seen[e.ID] = struct{}{}
		}
		m, err := json.Marshal(e.Metadata)
		if err != nil {
			return nil, fmt.Errorf("%w: event %d (%s) metadata: %v", eventstore.ErrInvalidAppend, i, e.ID, err)
		}
		ids[i] = pgtype.UUID{Bytes: e.ID, Valid: true}
		types[i] = e.Type
		data[i] = string(e.Data)
		meta[i] = string(m)
	}
	return []any{stream, exp, ids, types, data, meta}, nil
}

// encodeExpected encodes an ExpectedRevision as append_events expects it.
func encodeExpected(e eventstore.ExpectedRevision) (int64, error) {
	switch {
	case e.IsAny():
		return expectAny, nil
	case e.IsNoStream():
		return expectNoStream, nil
	case e.IsStreamExists():
		return expectStreamExists, nil
	}
	rev, _ := e.Revision()
	if rev > math.MaxInt64 {
		return 0, fmt.Errorf("%w: expected revision %d out of range", eventstore.ErrInvalidAppend, rev)
	}
	return int64(rev), nil
}

// appendOutcome maps the status row of append_events to a result or a typed error.
func appendOutcome(stream string, expected eventstore.ExpectedRevision, status string, revision, position *int64) (eventstore.AppendResult, error) {
	switch status {
	case statusOK:
		if revision == nil || position == nil {
			return eventstore.AppendResult{}, fmt.Errorf("append_events returned ok without a position")
		}
		return eventstore.AppendResult{Revision: uint64(*revision), Position: eventstore.Position(*position)}, nil
	case statusWrongExpected:
		return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{
			Stream: stream, Expected: expected, Actual: actualRevision(revision),
		}
	case statusDeleted:
		return eventstore.AppendResult{}, eventstore.ErrStreamDeleted
	case statusDuplicateID:
		return eventstore.AppendResult{}, eventstore.ErrDuplicateEventID
	}
	return eventstore.AppendResult{}, fmt.Errorf("append_events returned unknown status %q", status)
}

// actualRevision turns a stored revision (-1 or NULL: no events) into an ActualRevision.
func actualRevision(revision *int64) eventstore.ActualRevision {
	if revision == nil || *revision < 0 {
		return eventstore.ActualRevision{}
	}
	return eventstore.ActualRevision{Exists: true, Revision: uint64(*revision)}
}

// errIDRace reports that a concurrent append committed one of the event IDs first.
var errIDRace = errors.New("event id raced")

// errBatchShape reports a batch statement that did not answer one row per append.
var errBatchShape = errors.New("append batch answered an unexpected number of rows")

// translateAppendError maps a driver error of append_events to the store's errors. A unique
// violation on event_id means that a concurrent append committed one of these IDs first
// (errIDRace: calling again answers from the committed events). Data exceptions (class 22: invalid UTF-8 or JSON the server refuses) mean
// an invalid append.
func translateAppendError(err error) error {
	switch code := pgCode(err); {
	case code == "23505" && pgConstraint(err) == "events_event_id_key":
		return errIDRace
	case code == "23505":
		// (stream_id, revision) cannot clash under the stream row lock; be safe anyway.
		return fmt.Errorf("%w: concurrent append raced (%s)", eventstore.ErrUnavailable, pgConstraint(err))
	case len(code) == 5 && code[:2] == "22":
		return fmt.Errorf("%w: %s", eventstore.ErrInvalidAppend, err.Error())
	}
	return unavailable(err)
}

// noteAppended records the position of a successful append, wakes the store's own
// subscriptions and, while other sessions listen (or it is time to look whether they do),
// the notifier. A lone append thus hands nothing to another goroutine when nobody waits.
func (s *Store) noteAppended(p eventstore.Position) {
	for {
		cur := s.lastAppended.Load()
		if uint64(p) <= cur || s.lastAppended.CompareAndSwap(cur, uint64(p)) {
			break
		}
	}
	s.wake.wakeAll()
	if !s.othersListen.Load() && time.Now().UnixNano()-s.listenersChecked.Load() < int64(listenerRecheck) {
		return
	}
	select {
	case s.appended <- struct{}{}:
	default:
	}
}
