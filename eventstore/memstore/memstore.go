// Package memstore is an in-memory eventstore.Store. It passes the same contract suite as the
// PostgreSQL and EventStoreDB backends, so command handlers, policies and deciders can be unit
// tested and fuzzed quickly; it keeps nothing across restarts and is not for production.
package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// Store keeps every event in memory. The zero value is not usable; call New.
type Store struct {
	mu      sync.Mutex
	log     []eventstore.RecordedEvent
	streams map[string]*stream
	byID    map[[16]byte]int // event ID → index in log
	changed chan struct{}    // closed and replaced on every append
	now     func() time.Time
}

type stream struct {
	indexes []int // indexes into log, by revision
	deleted bool
}

// actual is the revision of st (nil: no such stream) as an expected revision is matched
// against it.
func (st *stream) actual() eventstore.ActualRevision {
	if st == nil || len(st.indexes) == 0 {
		return eventstore.ActualRevision{}
	}
	return eventstore.ActualRevision{Exists: true, Revision: uint64(len(st.indexes) - 1)}
}

// New returns an empty store.
func New() *Store { return NewWithClock(time.Now) }

// NewWithClock returns an empty store that stamps appended events' RecordedAt with now, so a
// test can append the same events twice and get the same records.
func NewWithClock(now func() time.Time) *Store {
	return &Store{
		streams: map[string]*stream{},
		byID:    map[[16]byte]int{},
		changed: make(chan struct{}),
		now:     now,
	}
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, name string, expected eventstore.ExpectedRevision, events []eventstore.EventData) (eventstore.AppendResult, error) {
	if err := validate(name, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	before := len(s.log)
	res, err := s.appendLocked(name, expected, events)
	if err == nil && len(s.log) > before {
		s.signal()
	}
	return res, err
}

// appendLocked is Append with s.mu held, without waking the subscriptions.
func (s *Store) appendLocked(name string, expected eventstore.ExpectedRevision, events []eventstore.EventData) (eventstore.AppendResult, error) {
	st := s.streams[name]
	if st != nil && st.deleted {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", name, eventstore.ErrStreamDeleted)
	}
	if res, done, err := s.replay(name, st, expected, events); done {
		return res, err
	}
	if actual := st.actual(); !expected.Matches(actual.Exists, actual.Revision) {
		return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{Stream: name, Expected: expected, Actual: actual}
	}
	if st == nil {
		st = &stream{}
		s.streams[name] = st
	}
	now := s.now()
	for _, e := range events {
		rec := eventstore.RecordedEvent{
			ID: e.ID, Type: e.Type, Stream: name, Revision: uint64(len(st.indexes)),
			Position: eventstore.Position(len(s.log) + 1), Data: append(json.RawMessage(nil), e.Data...),
			Metadata: e.Metadata, RecordedAt: now,
		}
		s.byID[e.ID] = len(s.log)
		st.indexes = append(st.indexes, len(s.log))
		s.log = append(s.log, rec)
	}
	last := s.log[len(s.log)-1]
	return eventstore.AppendResult{Revision: last.Revision, Position: last.Position}, nil
}

// signal wakes the subscriptions waiting for an append (s.mu held).
func (s *Store) signal() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// replay recognises an idempotent retry: events whose IDs are already the stream's events at
// the revisions the same expected revision would have given them.
func (s *Store) replay(name string, st *stream, expected eventstore.ExpectedRevision, events []eventstore.EventData) (eventstore.AppendResult, bool, error) {
	first, ok := s.byID[events[0].ID]
	if !ok {
		for _, e := range events[1:] {
			if _, dup := s.byID[e.ID]; dup {
				return eventstore.AppendResult{}, true, fmt.Errorf("append to %s: event %s: %w", name, e.ID, eventstore.ErrDuplicateEventID)
			}
		}
		return eventstore.AppendResult{}, false, nil
	}
	rec := s.log[first]
	dup := fmt.Errorf("append to %s: event %s: %w", name, rec.ID, eventstore.ErrDuplicateEventID)
	if rec.Stream != name || st == nil {
		return eventstore.AppendResult{}, true, dup
	}
	start := rec.Revision
	if start+uint64(len(events)) > uint64(len(st.indexes)) {
		return eventstore.AppendResult{}, true, dup
	}
	for i, e := range events {
		if s.log[st.indexes[start+uint64(i)]].ID != e.ID {
			return eventstore.AppendResult{}, true, dup
		}
	}
	if !expected.Matches(start > 0, start-1) {
		return eventstore.AppendResult{}, true, &eventstore.WrongExpectedRevisionError{
			Stream: name, Expected: expected,
			Actual: eventstore.ActualRevision{Exists: true, Revision: uint64(len(st.indexes) - 1)},
		}
	}
	last := s.log[st.indexes[start+uint64(len(events))-1]]
	return eventstore.AppendResult{Revision: last.Revision, Position: last.Position}, true, nil
}

func validate(name string, events []eventstore.EventData) error {
	if name == "" || len(events) == 0 {
		return fmt.Errorf("append %q with %d events: %w", name, len(events), eventstore.ErrInvalidAppend)
	}
	for i, e := range events {
		if e.ID == [16]byte{} || e.Type == "" || !json.Valid(e.Data) {
			return fmt.Errorf("append to %s: event %d needs an ID, a type and JSON data: %w", name, i, eventstore.ErrInvalidAppend)
		}
	}
	return nil
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, name string, dir eventstore.Direction, from uint64, max int) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[name]
	switch {
	case st == nil || len(st.indexes) == 0:
		return nil, fmt.Errorf("read %s: %w", name, eventstore.ErrStreamNotFound)
	case st.deleted:
		return nil, fmt.Errorf("read %s: %w", name, eventstore.ErrStreamDeleted)
	}
	var out []eventstore.RecordedEvent
	n := uint64(len(st.indexes))
	if dir == eventstore.Forwards {
		for r := from; r < n && len(out) < max; r++ {
			out = append(out, s.log[st.indexes[r]])
		}
		return out, nil
	}
	if from >= n {
		from = n - 1
	}
	for r := int64(from); r >= 0 && len(out) < max; r-- {
		out = append(out, s.log[st.indexes[r]])
	}
	return out, nil
}

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, from eventstore.Position, max int, f eventstore.Filter) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, _ := s.scan(from, max, f)
	return out, nil
}

// ScanAll implements eventstore.Scanner.
func (s *Store) ScanAll(ctx context.Context, from eventstore.Position, limit int, f eventstore.Filter) ([]eventstore.RecordedEvent, eventstore.Position, error) {
	if err := ctx.Err(); err != nil {
		return nil, from, err
	}
	out, through := s.scan(from, limit, f)
	if through < from { // from lies beyond the log
		through = from
	}
	return out, through, nil
}

// scan returns at most max matching events after from, and the position it scanned up to.
func (s *Store) scan(from eventstore.Position, max int, f eventstore.Filter) ([]eventstore.RecordedEvent, eventstore.Position) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []eventstore.RecordedEvent
	i := int(from)
	for ; i < len(s.log) && len(out) < max; i++ {
		if e := s.log[i]; f.Match(e.Stream, e.Type) {
			out = append(out, e)
		}
	}
	return out, eventstore.Position(i)
}

// HeadPosition implements eventstore.Store.
func (s *Store) HeadPosition(ctx context.Context) (eventstore.Position, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return eventstore.Position(len(s.log)), ctx.Err()
}

// Tombstone implements eventstore.Store.
func (s *Store) Tombstone(ctx context.Context, name string, expected eventstore.ExpectedRevision) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[name]
	if st != nil && st.deleted {
		return fmt.Errorf("tombstone %s: %w", name, eventstore.ErrStreamDeleted)
	}
	if actual := st.actual(); !expected.Matches(actual.Exists, actual.Revision) {
		return &eventstore.WrongExpectedRevisionError{Stream: name, Expected: expected, Actual: actual}
	}
	if st == nil {
		st = &stream{}
		s.streams[name] = st
	}
	st.deleted = true
	return nil
}

// Close implements eventstore.Store.
func (s *Store) Close() error { return nil }

// waitChange returns a channel closed at the next append.
func (s *Store) waitChange() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

var _ eventstore.BatchAppender = (*Store)(nil)

// AppendBatch runs each append of appends in order; see eventstore.BatchAppender.
func (s *Store) AppendBatch(ctx context.Context, appends []eventstore.StreamAppend) ([]eventstore.AppendOutcome, error) {
	out := make([]eventstore.AppendOutcome, len(appends))
	for i, a := range appends {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out[i].Result, out[i].Err = s.Append(ctx, a.Stream, a.Expected, a.Events)
	}
	return out, nil
}
