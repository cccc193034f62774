package pgstore

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/backoff"
)

// Sizes of a subscription's reads and of its delivery buffer.
const (
	subscriptionPage   = 500
	subscriptionBuffer = 64
)

// subscription is a live feed of $all; one goroutine owned by it reads and delivers.
type subscription struct {
	events chan eventstore.RecordedEvent
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	mu  sync.Mutex
	err error // set before events is closed
}

// SubscribeAll delivers every event of $all after from that matches filter, first the history
// and then live events, each exactly once and in position order; see eventstore.Store. Live
// events are announced by LISTEN/NOTIFY with polling every Options.PollInterval as the
// fallback. A lost connection is retried with jittered exponential backoff (capped at 5s),
// resuming after the last position looked at, so nothing is lost or repeated.
func (s *Store) SubscribeAll(ctx context.Context, from eventstore.Position, filter eventstore.Filter) (eventstore.Subscription, error) {
	if err := s.ctx.Err(); err != nil {
		return nil, errors.New("subscribe to $all: event store closed")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	sub := &subscription{
		events: make(chan eventstore.RecordedEvent, subscriptionBuffer),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	s.subsMu.Lock()
	if s.closing {
		s.subsMu.Unlock()
		cancel()
		return nil, errors.New("subscribe to $all: event store closed")
	}
	s.subs[sub] = struct{}{}
	s.subsMu.Unlock()
	s.ensureListener()
	wake := s.wake.register()
	go func() {
		err := s.runSubscription(sctx, sub, from, filter, wake)
		s.wake.unregister(wake)
		s.subsMu.Lock()
		delete(s.subs, sub)
		s.subsMu.Unlock()
		cancel()
		sub.mu.Lock()
		sub.err = err
		sub.mu.Unlock()
		close(sub.events)
		close(sub.done)
	}()
	return sub, nil
}

// runSubscription is the subscription's loop. It returns nil when ctx ends, otherwise the
// error that made it give up.
func (s *Store) runSubscription(ctx context.Context, sub *subscription, cursor eventstore.Position, filter eventstore.Filter, wake <-chan struct{}) error {
	delay := reconnectFirst
	poll := time.NewTimer(s.opts.PollInterval)
	defer poll.Stop()
	var lastRead time.Time
	pace := newWakePace(s.opts)
	for {
		before := cursor
		lastRead = time.Now()
		events, scanned, err := s.readAll(ctx, cursor, subscriptionPage, filter, waitForever)
		for _, ev := range events {
			select {
			case sub.events <- ev:
				cursor = ev.Position
			case <-ctx.Done():
				return nil
			}
		}
		if err == nil {
			cursor = max(cursor, scanned)
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && !errors.Is(err, eventstore.ErrUnavailable):
			return err
		case err != nil:
			s.log.Warn("subscription to $all lost its connection; resuming",
				slog.Uint64("after_position", uint64(cursor)), slog.Any("error", err),
				slog.Duration("retry_in", delay))
			if !backoff.Sleep(ctx, backoff.Jitter(delay)) {
				return nil
			}
			delay = min(2*delay, reconnectMax)
			continue
		}
		delay = reconnectFirst
		pace.read(uint64(cursor-before), time.Now())
		if len(events) == subscriptionPage {
			continue // more history to catch up
		}
		// Caught up: wait for a notification or the next poll.
		if !poll.Stop() {
			select {
			case <-poll.C:
			default:
			}
		}
		poll.Reset(s.opts.PollInterval)
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
			// Let the appends of the next few milliseconds join this read (more of them
			// while the log grows fast: see Options.BusyWakeCoalesce).
			if wait := pace.window - time.Since(lastRead); wait > 0 {
				if !backoff.Sleep(ctx, wait) {
					return nil
				}
			}
		case <-poll.C:
		}
	}
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
