package storetest

import (
	"sync"
	"testing"

	"github.com/odata-pos/pos/eventstore"
)

// Wrap describes to the suite a store that wraps b's stores (such as eventstore/fanout's):
// each store of the result is wrap applied to a fresh store of b, and the failure cases are
// provoked on the wrapped store. wrap closes what it makes with t.Cleanup.
func Wrap(b Backend, name string, wrap func(t testing.TB, inner eventstore.Store) eventstore.Store) Backend {
	var mu sync.Mutex
	inners := map[eventstore.Store]eventstore.Store{}
	innerOf := func(t testing.TB, s eventstore.Store) eventstore.Store {
		mu.Lock()
		defer mu.Unlock()
		inner, ok := inners[s]
		if !ok {
			t.Fatalf("store %p was not made by this backend", s)
		}
		return inner
	}
	w := Backend{
		Name: name,
		NewStore: func(t testing.TB) eventstore.Store {
			inner := b.NewStore(t)
			s := wrap(t, inner)
			mu.Lock()
			inners[s] = inner
			mu.Unlock()
			t.Cleanup(func() {
				mu.Lock()
				delete(inners, s)
				mu.Unlock()
			})
			return s
		},
	}
	if b.AppendHeld != nil {
		w.AppendHeld = func(t testing.TB, s eventstore.Store, stream string, events []eventstore.EventData, release <-chan struct{}) <-chan error {
			return b.AppendHeld(t, innerOf(t, s), stream, events, release)
		}
	}
	if b.KillConnections != nil {
		w.KillConnections = func(t testing.TB, s eventstore.Store) { b.KillConnections(t, innerOf(t, s)) }
	}
	return w
}
