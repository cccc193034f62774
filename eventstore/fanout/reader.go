package fanout

import (
	"context"
	"errors"
	"log/slog"

	"github.com/odata-pos/pos/eventstore"
)

// maxPush is the most events the shared reader adds to its window at once.
const maxPush = 256

// reader is one run of the shared reader: the store's own subscription to $all (every
// non-system event) and the window of its newest events. Its fields are guarded by Store.mu.
type reader struct {
	cancel context.CancelFunc
	// window holds, in position order, every non-system event with a position in
	// (base, head]: nothing in that range is missing.
	window     []eventstore.RecordedEvent
	base, head eventstore.Position
	// changed is closed (and replaced) whenever head moves or the reader stops.
	changed chan struct{}
	stopped bool
	failed  bool // stopped on an error rather than at Close or when its last subscriber left
}

// join returns the shared reader for a subscription that has read everything up to at, or nil
// when at lies behind its window (the subscription reads on). When no reader runs, join starts
// one at at.
func (s *Store) join(at eventstore.Position) *reader {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	r := s.current
	if r == nil {
		ctx, cancel := context.WithCancel(s.ctx)
		r = &reader{cancel: cancel, window: make([]eventstore.RecordedEvent, 0, s.opts.Window),
			base: at, head: at, changed: make(chan struct{})}
		// Subscribe here rather than in the reader's goroutine: the store's own goroutines
		// (PostgreSQL's listener) then exist once join returns.
		sub, err := s.Store.SubscribeAll(ctx, at, eventstore.Filter{})
		if err != nil {
			cancel()
			s.log.Warn("shared $all reader could not start; its subscribers read on their own",
				slog.Uint64("at_position", uint64(at)), slog.Any("error", err))
			return nil
		}
		s.current = r
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.read(ctx, r, sub)
		}()
	}
	if at < r.base {
		return nil
	}
	return r
}

// read runs the shared reader r on sub until ctx ends or sub fails.
func (s *Store) read(ctx context.Context, r *reader, sub eventstore.Subscription) {
	err := s.feed(ctx, r, sub)
	s.mu.Lock()
	r.stopped, r.failed = true, err != nil && ctx.Err() == nil
	close(r.changed)
	if s.current == r {
		s.current = nil
	}
	s.mu.Unlock()
	if r.failed {
		s.log.Warn("shared $all reader stopped; its subscribers read on their own and start it again",
			slog.Uint64("at_position", uint64(r.head)), slog.Any("error", err))
	}
}

// feed moves the events of the store's subscription into r's window, in batches of those
// already there, waking r's subscribers once per batch.
func (s *Store) feed(ctx context.Context, r *reader, sub eventstore.Subscription) error {
	defer func() { _ = sub.Close() }()
	events := sub.Events()
	batch := make([]eventstore.RecordedEvent, 0, min(maxPush, s.opts.Window/4))
	for {
		ev, ok := <-events
		if !ok {
			if ctx.Err() != nil {
				return nil
			}
			if err := sub.Err(); err != nil {
				return err
			}
			return errors.New("subscription to $all ended")
		}
		batch = append(batch, ev)
	more:
		for len(batch) < cap(batch) {
			select {
			case ev, ok := <-events:
				if !ok {
					break more
				}
				batch = append(batch, ev)
			default:
				break more
			}
		}
		s.mu.Lock()
		r.push(batch, s.opts.Window)
		close(r.changed)
		r.changed = make(chan struct{})
		s.mu.Unlock()
		clear(batch)
		batch = batch[:0]
	}
}

// push appends events (at most window/4, in position order, after head) to the window,
// dropping its oldest quarter when it would overflow.
func (r *reader) push(events []eventstore.RecordedEvent, window int) {
	if over := len(r.window) + len(events) - window; over > 0 {
		drop := min(len(r.window), over+window/4)
		r.base = r.window[drop-1].Position
		n := copy(r.window, r.window[drop:])
		clear(r.window[n:]) // let the dropped events go
		r.window = r.window[:n]
	}
	r.window = append(r.window, events...)
	r.head = events[len(events)-1].Position
}
