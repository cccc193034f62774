package memstore

import (
	"context"
	"fmt"

	"github.com/odata-pos/pos/eventstore"
)

var _ eventstore.CheckedAtomicAppender = (*Store)(nil)

// AppendAtomic runs the appends in order under the store's lock and, when one fails, takes
// back what the earlier ones wrote; see eventstore.AtomicAppender.
func (s *Store) AppendAtomic(ctx context.Context, appends []eventstore.StreamAppend) ([]eventstore.AppendResult, error) {
	return s.AppendAtomicChecked(ctx, nil, appends)
}

// AppendAtomicChecked is AppendAtomic after the checks, under the same lock; see
// eventstore.CheckedAtomicAppender.
func (s *Store) AppendAtomicChecked(ctx context.Context, checks []eventstore.StreamCheck, appends []eventstore.StreamAppend) ([]eventstore.AppendResult, error) {
	for _, a := range appends {
		if err := validate(a.Stream, a.Events); err != nil {
			return nil, err
		}
	}
	if err := eventstore.ValidateChecks(checks, appends); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked(checks, appends); err != nil {
		return nil, err
	}
	mark := s.mark(appends)
	out := make([]eventstore.AppendResult, len(appends))
	for i, a := range appends {
		var err error
		if out[i], err = s.appendLocked(a.Stream, a.Expected, a.Events); err != nil {
			s.undo(mark)
			return nil, err
		}
	}
	if len(s.log) > mark.log {
		s.signal()
	}
	return out, nil
}

// mark is where the log and the streams of an atomic call stood before it (undo's argument).
type mark struct {
	log     int
	streams map[string]int // the streams' event counts; -1: the stream did not exist
}

// mark records the extent of the log and of the streams appends write (s.mu held).
func (s *Store) mark(appends []eventstore.StreamAppend) mark {
	m := mark{log: len(s.log), streams: make(map[string]int, len(appends))}
	for _, a := range appends {
		m.streams[a.Stream] = -1
		if st := s.streams[a.Stream]; st != nil {
			m.streams[a.Stream] = len(st.indexes)
		}
	}
	return m
}

// undo removes every event appended since m, and the streams created since (s.mu held).
func (s *Store) undo(m mark) {
	for _, rec := range s.log[m.log:] {
		delete(s.byID, rec.ID)
	}
	s.log = s.log[:m.log]
	for name, n := range m.streams {
		if n < 0 {
			delete(s.streams, name)
		} else if st := s.streams[name]; st != nil {
			st.indexes = st.indexes[:n]
		}
	}
}

// checkLocked returns the error of the first of checks that does not hold, or, when there are
// checks, ErrDuplicateEventID for an event of appends already stored (s.mu held; see
// eventstore.CheckedAtomicAppender).
func (s *Store) checkLocked(checks []eventstore.StreamCheck, appends []eventstore.StreamAppend) error {
	if len(checks) == 0 {
		return nil
	}
	for _, c := range checks {
		st := s.streams[c.Stream]
		deleted, actual := st != nil && st.deleted, st.actual()
		if deleted || !actual.Exists || actual.Revision != c.Revision {
			return eventstore.CheckFailed(c, actual.Exists, deleted, actual.Revision)
		}
	}
	for _, a := range appends {
		for _, e := range a.Events {
			if _, stored := s.byID[e.ID]; stored {
				return fmt.Errorf("append to %s: event %s: %w", a.Stream, e.ID, eventstore.ErrDuplicateEventID)
			}
		}
	}
	return nil
}
