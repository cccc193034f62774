package fanout

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/odata-pos/pos/eventstore"
)

// Options configures a Store. The zero value is usable.
type Options struct {
	// Window is how many of the newest events the shared reader keeps for its subscribers; a
	// subscriber further behind reads $all on its own. Default 8192, at least 64.
	Window int
	// Page is how many events a subscriber behind the window reads per query; default 500.
	Page int
	// Logger receives the shared reader's warnings; nil discards them.
	Logger *slog.Logger
}

func (o *Options) setDefaults() {
	if o.Window <= 0 {
		o.Window = 8192
	}
	o.Window = max(o.Window, 64)
	if o.Page <= 0 {
		o.Page = 500
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Store is an eventstore.Store whose subscriptions to $all share one reader; every other call
// goes to the wrapped store unchanged. Close stops the shared reader and ends the
// subscriptions still open; it does not close the wrapped store, whose owner does.
type Store struct {
	eventstore.Store
	scanner eventstore.Scanner // nil: subscriptions are not shared
	opts    Options
	log     *slog.Logger

	ctx    context.Context // ends at Close; parent of the shared reader and subscriptions
	cancel context.CancelFunc
	wg     sync.WaitGroup // the shared readers and the subscriptions

	mu      sync.Mutex
	current *reader // the running shared reader, nil when none runs
	subs    int     // subscriptions open
	closed  bool
}

// New wraps store. Its subscriptions are shared when store is an eventstore.Scanner (the
// PostgreSQL and in-memory stores are); otherwise New's Store only forwards.
func New(store eventstore.Store, opts Options) *Store {
	opts.setDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{Store: store, opts: opts, log: opts.Logger.With(slog.String("component", "fanout")), ctx: ctx, cancel: cancel}
	s.scanner, _ = store.(eventstore.Scanner)
	return s
}

// Unwrap returns the wrapped store.
func (s *Store) Unwrap() eventstore.Store { return s.Store }

// Close ends the shared reader and every subscription still open and waits for them; the
// wrapped store stays open.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// errClosed is returned by SubscribeAll after Close.
var errClosed = errors.New("subscribe to $all: fan-out closed")

// SubscribeAll delivers every event of $all after from that filter selects, first the history
// and then live events, once each and in position order (see eventstore.Store); the events
// come from the shared reader once the subscription has caught up with it. The events' Data
// and metadata are shared with other subscribers: read them, never modify them.
func (s *Store) SubscribeAll(ctx context.Context, from eventstore.Position, filter eventstore.Filter) (eventstore.Subscription, error) {
	if s.scanner == nil {
		return s.Store.SubscribeAll(ctx, from, filter)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed
	}
	s.subs++
	s.wg.Add(1)
	s.mu.Unlock()
	sctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	sub := &subscription{events: make(chan eventstore.RecordedEvent, subscriptionBuffer), cancel: cancel, done: make(chan struct{})}
	sub.through.Store(uint64(from))
	go func() {
		defer s.wg.Done()
		err := s.follow(sctx, sub, from, filter)
		stop()
		cancel()
		s.leave()
		sub.finish(err)
	}()
	return sub, nil
}

// leave notes that a subscription ended; the last one out stops the shared reader.
func (s *Store) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs--
	if s.subs == 0 && s.current != nil {
		s.current.cancel()
		s.current = nil
	}
}
