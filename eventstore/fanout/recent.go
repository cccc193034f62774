package fanout

import (
	"context"

	"github.com/odata-pos/pos/eventstore"
)

// Recent returns s for a poller of $all that reads up to the end of the log and comes back
// later, such as the audit checkpointer: its ReadAll takes the events after from out of the
// shared reader's window, without a query, when from lies in the window (up to its head), and
// reads the store otherwise (no reader, from behind the window or ahead of the reader). From
// the window it may return fewer events than the store holds (none past the window's head,
// nothing at all from the head), though never one past an event that might still commit below
// it; so it is
// not for a caller that takes a short read for the end of the log, such as a projection's
// check that it has caught up. The events' Data and metadata are shared with the
// subscribers: read them, never modify them.
func (s *Store) Recent() eventstore.Store { return recent{s} }

// recent is Store with ReadAll served from the window; see Store.Recent.
type recent struct{ *Store }

// ReadAll implements eventstore.Store; see Store.Recent.
func (r recent) ReadAll(ctx context.Context, from eventstore.Position, max int, filter eventstore.Filter) ([]eventstore.RecordedEvent, error) {
	if events, ok := r.fromWindow(from, max, filter); ok {
		return events, nil
	}
	return r.Store.Store.ReadAll(ctx, from, max, filter)
}

// fromWindow returns at most max events after from that filter selects, out of the shared
// reader's window; false when no reader runs, from lies behind its window, or ahead of what the
// reader has read. A caller that has read up to the reader's head gets nothing (a short read:
// its poll ends), not a read of the store: that read would fetch the events the reader is about
// to fetch, and leave the caller ahead of the reader, reading the store at every poll after.
func (s *Store) fromWindow(from eventstore.Position, max int, filter eventstore.Filter) ([]eventstore.RecordedEvent, bool) {
	if max <= 0 {
		return nil, false
	}
	s.mu.Lock()
	r := s.current
	ahead := r != nil && from > r.head
	s.mu.Unlock()
	if r == nil || ahead {
		return nil, false
	}
	events, _, _, ok := s.collect(r, from, filter, make([]eventstore.RecordedEvent, 0, min(max, s.opts.Window)))
	return events, ok
}

// Slipping reports whether a poller of Recent that has read $all up to pos should read again
// now rather than wait: at least a quarter of the window's events lie past pos, so that, if
// it waits much longer, the window may move on past pos and its next read go to the store.
// True when pos already lies behind the window; false when no reader runs or pos is at its
// head.
func (s *Store) Slipping(pos eventstore.Position) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.current
	switch {
	case r == nil || r.stopped || pos >= r.head:
		return false
	case pos < r.base:
		return true
	}
	past := len(r.window) - firstAfter(r.window, pos)
	return past >= s.opts.Window/4
}
