package memstore

import (
	"context"
	"sync"

	"github.com/odata-pos/pos/eventstore"
)

// subscription feeds one subscriber from the in-memory log.
type subscription struct {
	events chan eventstore.RecordedEvent
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	err    error
}

// SubscribeAll implements eventstore.Store.
func (s *Store) SubscribeAll(ctx context.Context, from eventstore.Position, f eventstore.Filter) (eventstore.Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	sub := &subscription{events: make(chan eventstore.RecordedEvent), cancel: cancel, done: make(chan struct{})}
	go sub.run(ctx, s, from, f)
	return sub, nil
}

func (sub *subscription) run(ctx context.Context, s *Store, from eventstore.Position, f eventstore.Filter) {
	defer close(sub.done)
	defer close(sub.events)
	for {
		changed := s.waitChange()
		evs, scanned := s.scan(from, 256, f)
		for _, e := range evs {
			select {
			case sub.events <- e:
			case <-ctx.Done():
				return
			}
		}
		if scanned > from {
			from = scanned // past the delivered events and the non-matching ones in between
			continue
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}

func (sub *subscription) Events() <-chan eventstore.RecordedEvent { return sub.events }

func (sub *subscription) Err() error { return sub.err }

func (sub *subscription) Close() error {
	sub.once.Do(sub.cancel)
	<-sub.done
	return nil
}
