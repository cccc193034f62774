package esdb

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/backoff"
)

// minReconnectBackoff is the first wait before a subscription resubscribes.
const minReconnectBackoff = 50 * time.Millisecond

// subscriptionBuffer is how many events a subscription reads ahead of its consumer.
const subscriptionBuffer = 256

// SubscribeAll starts a catch-up subscription to $all after from. See eventstore.Store. The
// first subscribe happens before SubscribeAll returns, so an unreachable server is reported
// here; later connection failures are retried with backoff.
func (s *Store) SubscribeAll(ctx context.Context, from eventstore.Position, filter eventstore.Filter) (eventstore.Subscription, error) {
	ctx, cancel := context.WithCancel(ctx)
	inner, c, err := s.subscribe(ctx, from, filter)
	if err != nil {
		cancel()
		return nil, s.translate(ctx, c, subscribeOp, err)
	}
	sub := &subscription{
		store:  s,
		filter: filter,
		last:   from,
		events: make(chan eventstore.RecordedEvent, subscriptionBuffer),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go sub.run(ctx, inner)
	return sub, nil
}

// subscribeOp names subscriptions in errors.
const subscribeOp = "subscribe to $all"

// subscribe opens one catch-up subscription of the client after from. Errors are the client's,
// untranslated, so that the caller can tell which ones a retry may heal.
func (s *Store) subscribe(ctx context.Context, from eventstore.Position, filter eventstore.Filter) (*esdb.Subscription, *esdb.Client, error) {
	c, err := s.conn()
	if err != nil {
		return nil, nil, err
	}
	inner, err := c.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{From: allPosition(from), Filter: serverFilter(filter)})
	return inner, c, err
}

// serverFilter is the part of f the server can apply: it filters on stream or on type
// prefixes, not both, and exact types only as prefixes, so the subscription applies the
// whole of f again to what arrives.
func serverFilter(f eventstore.Filter) *esdb.SubscriptionFilter {
	switch {
	case len(f.StreamPrefixes) > 0:
		return &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: f.StreamPrefixes}
	case len(f.TypePrefixes) > 0 && len(f.Types) == 0:
		return &esdb.SubscriptionFilter{Type: esdb.EventFilterType, Prefixes: f.TypePrefixes}
	case len(f.Types) > 0 && len(f.TypePrefixes) == 0:
		return &esdb.SubscriptionFilter{Type: esdb.EventFilterType, Prefixes: f.Types}
	}
	return esdb.ExcludeSystemEventsFilter()
}

// subscription is an eventstore.Subscription fed by one goroutine (run), which owns the
// client subscription and replaces it when it drops.
type subscription struct {
	store  *Store
	filter eventstore.Filter
	last   eventstore.Position // of the last event seen; only run touches it
	events chan eventstore.RecordedEvent
	cancel context.CancelFunc
	done   chan struct{}

	mu  sync.Mutex
	err error
}

// Events delivers the events in position order; it is closed when the subscription ends.
func (sub *subscription) Events() <-chan eventstore.RecordedEvent { return sub.events }

// Err reports why the subscription ended: nil after Close or cancellation.
func (sub *subscription) Err() error {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.err
}

// Close ends the subscription and waits for its goroutine to stop.
func (sub *subscription) Close() error {
	sub.cancel()
	<-sub.done
	return nil
}

// run forwards events until ctx ends or a failure that retrying cannot fix.
func (sub *subscription) run(ctx context.Context, inner *esdb.Subscription) {
	defer close(sub.done)
	defer close(sub.events)
	err := sub.loop(ctx, inner)
	if ctx.Err() != nil {
		err = nil // ended by Close or by the caller's context
	}
	sub.mu.Lock()
	sub.err = err
	sub.mu.Unlock()
	sub.cancel()
}

func (sub *subscription) loop(ctx context.Context, inner *esdb.Subscription) error {
	attempt := 0
	for {
		err := sub.forward(ctx, inner, &attempt)
		_ = inner.Close()
		if ctx.Err() != nil {
			return nil //nolint:nilerr // a cancelled subscription ends without an error (eventstore.Subscription)
		}
		if !retryable(err) {
			return sub.store.translate(ctx, nil, subscribeOp, err)
		}
		// Resubscribe after the last event seen, with jittered exponential backoff.
		for inner = nil; inner == nil; {
			d := backoff.Jitter(backoff.Exp(minReconnectBackoff, attempt, sub.store.opts.MaxReconnectBackoff))
			attempt++
			if !backoff.Sleep(ctx, d) {
				return nil
			}
			var c *esdb.Client
			inner, c, err = sub.store.subscribe(ctx, sub.last, sub.filter)
			switch {
			case err == nil:
			case ctx.Err() != nil:
				return nil //nolint:nilerr // cancelled while resubscribing: no error (eventstore.Subscription)
			case !retryable(err):
				return sub.store.translate(ctx, c, subscribeOp, err)
			default:
				sub.store.renew(c, err)
			}
		}
	}
}

// forward reads inner until it drops, sending the matching events on. It returns the drop's
// cause.
func (sub *subscription) forward(ctx context.Context, inner *esdb.Subscription, attempt *int) error {
	for {
		ev := inner.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return ev.SubscriptionDropped.Error
		case ev.EventAppeared == nil || ev.EventAppeared.Event == nil:
			continue // checkpoints, caught-up and fell-behind notices
		}
		e := ev.EventAppeared.Event
		p := eventstore.Position(e.Position.Commit)
		if p <= sub.last {
			continue // never deliver an event twice, whatever a resubscription replays
		}
		*attempt = 0
		if sub.filter.Match(e.StreamID, e.EventType) {
			select {
			case sub.events <- toRecorded(e):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		sub.last = p
	}
}

// retryable reports whether a subscription failure may heal by resubscribing: connection
// failures and server restarts do, refused credentials or requests do not.
func retryable(err error) bool {
	if err == nil {
		return true
	}
	var e *esdb.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case esdb.ErrorCodeUnauthenticated, esdb.ErrorCodeAccessDenied,
			esdb.ErrorCodeUnsupportedFeature, esdb.ErrorCodeParsing:
			return false
		}
	}
	if errors.Is(err, errClosed) {
		return false
	}
	switch status.Code(err) {
	case codes.Unauthenticated, codes.PermissionDenied, codes.InvalidArgument, codes.Unimplemented:
		return false
	}
	return true
}
