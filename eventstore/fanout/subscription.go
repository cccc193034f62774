package fanout

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/backoff"
)

// Sizes of a subscription's delivery buffer and of what it takes from the window at once.
const (
	subscriptionBuffer = 64
	collectMax         = 256
)

// Backoff of a subscription whose own reads lost the connection or whose shared reader failed.
const (
	retryFirst = 50 * time.Millisecond
	retryMax   = 5 * time.Second
)

// subscription is one subscriber's feed; one goroutine owned by it reads and delivers.
type subscription struct {
	events chan eventstore.RecordedEvent
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	// through is the position up to which the subscription has looked: every selected event
	// at or below it has been put into events. Stored after the events it covers.
	through atomic.Uint64

	mu  sync.Mutex
	err error // set before events is closed
}

// follow delivers the events after cursor that filter selects until ctx ends (nil) or a read
// fails for good (the error). Behind the shared reader's window it reads on its own; once it
// has looked up to the window it takes its events from there, and falls back to its own reads
// whenever the window moves past it or the shared reader stops.
func (s *Store) follow(ctx context.Context, sub *subscription, cursor eventstore.Position, filter eventstore.Filter) error {
	var r *reader
	buf := make([]eventstore.RecordedEvent, 0, collectMax)
	delay := retryFirst
	for ctx.Err() == nil {
		if r != nil {
			events, next, wait, ok := s.collect(r, cursor, filter, buf[:0])
			if !ok {
				if s.readerFailed(r) && !backoff.Sleep(ctx, backoff.Jitter(delay)) {
					return nil
				}
				delay = min(2*delay, retryMax)
				r = nil
				continue
			}
			if !deliver(ctx, sub.events, events) {
				return nil
			}
			clear(events)
			cursor, delay = next, retryFirst
			sub.through.Store(uint64(cursor))
			if wait != nil {
				select {
				case <-wait:
				case <-ctx.Done():
					return nil
				}
			}
			continue
		}
		events, through, err := s.scanner.ScanAll(ctx, cursor, s.opts.Page, filter)
		if !deliver(ctx, sub.events, events) {
			return nil
		}
		if len(events) > 0 {
			cursor = events[len(events)-1].Position
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil //nolint:nilerr // cancelled by its owner: the subscription ends cleanly
			}
			if !errors.Is(err, eventstore.ErrUnavailable) {
				return err
			}
			s.log.Warn("subscription to $all lost its connection; resuming",
				slog.Uint64("after_position", uint64(cursor)), slog.Any("error", err))
			if !backoff.Sleep(ctx, backoff.Jitter(delay)) {
				return nil
			}
			delay = min(2*delay, retryMax)
			continue
		}
		cursor = max(cursor, through)
		sub.through.Store(uint64(cursor))
		if len(events) < s.opts.Page {
			// nil: the window moved past meanwhile, or no reader could start; read on.
			if r = s.join(cursor); r == nil {
				if !backoff.Sleep(ctx, backoff.Jitter(delay)) {
					return nil
				}
				delay = min(2*delay, retryMax)
			}
		}
	}
	return nil
}

// collect copies into out the events of r's window after cursor that filter selects, at most
// cap(out). next is the position the subscription has then seen everything up to. wait is nil
// when more events are ready, else the channel closed when the window moves on. ok is false when
// cursor lies behind the window or r has stopped: the subscription must read on its own.
func (s *Store) collect(r *reader, cursor eventstore.Position, filter eventstore.Filter, out []eventstore.RecordedEvent) (events []eventstore.RecordedEvent, next eventstore.Position, wait <-chan struct{}, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.stopped || cursor < r.base {
		return nil, cursor, nil, false
	}
	w := r.window
	for i := firstAfter(w, cursor); i < len(w); i++ {
		if !filter.Match(w[i].Stream, w[i].Type) {
			continue
		}
		if len(out) == cap(out) {
			return out, out[len(out)-1].Position, nil, true
		}
		out = append(out, w[i])
	}
	return out, max(cursor, r.head), r.changed, true
}

// firstAfter returns the index of the first event of w (in position order) past pos, len(w)
// when there is none.
func firstAfter(w []eventstore.RecordedEvent, pos eventstore.Position) int {
	return sort.Search(len(w), func(i int) bool { return w[i].Position > pos })
}

// readerFailed reports whether r stopped on an error.
func (s *Store) readerFailed(r *reader) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return r.failed
}

// deliver sends events in order; false when ctx ended first.
func deliver(ctx context.Context, ch chan<- eventstore.RecordedEvent, events []eventstore.RecordedEvent) bool {
	for _, ev := range events {
		select {
		case ch <- ev:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

func (sub *subscription) finish(err error) {
	sub.mu.Lock()
	sub.err = err
	sub.mu.Unlock()
	close(sub.events)
	close(sub.done)
}

// Through returns the position up to which the subscription has looked: every event at or
// below it that its filter selects is already in Events. Once a reader has emptied Events, it
// has seen everything up to Through (read Through first), however few events its filter
// selects, without asking the store.
func (sub *subscription) Through() eventstore.Position {
	return eventstore.Position(sub.through.Load())
}

// Events delivers the subscription's events; it is closed when the subscription ends.
func (sub *subscription) Events() <-chan eventstore.RecordedEvent { return sub.events }

// Err reports why the subscription ended once Events is closed: nil after Close or
// cancellation.
func (sub *subscription) Err() error {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.err
}

// Close ends the subscription and waits for its goroutine to stop.
func (sub *subscription) Close() error {
	sub.once.Do(sub.cancel)
	<-sub.done
	return nil
}
