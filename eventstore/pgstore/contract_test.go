package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/fanout"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/eventstore/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, backend(pgstore.Options{}))
}

// TestContractThroughFanout runs the contract through eventstore/fanout's shared reader, with a
// window small enough that subscribers fall behind it and rejoin. Its store hands every append
// to the batchers (batch.go), single events to new streams included (newStreamsSQL), so that
// each guarantee also holds on that path and not only for appends that happen to meet others
// (TestContract runs the defaults; a third run of the suite would not fit the package's test
// timeout on a loaded machine).
func TestContractThroughFanout(t *testing.T) {
	storetest.Run(t, storetest.Wrap(backend(pgstore.Options{DirectAppends: -1}), "fanout-pgstore", func(t testing.TB, inner eventstore.Store) eventstore.Store {
		s := fanout.New(inner, fanout.Options{Window: 64, Page: 50})
		t.Cleanup(func() { _ = s.Close() })
		return s
	}))
}

// backend describes pgstore, opened with opts, to the contract suite. Each store gets its own
// database; urls remembers which, for AppendHeld and KillConnections.
func backend(opts pgstore.Options) storetest.Backend {
	var mu sync.Mutex
	urls := map[eventstore.Store]string{}
	urlOf := func(t testing.TB, s eventstore.Store) string {
		mu.Lock()
		defer mu.Unlock()
		u, ok := urls[s]
		if !ok {
			t.Fatalf("store %p was not made by this backend", s)
		}
		return u
	}
	return storetest.Backend{
		Name: "pgstore",
		NewStore: func(t testing.TB) eventstore.Store {
			s, url := newStore(t, opts)
			mu.Lock()
			urls[s] = url
			mu.Unlock()
			t.Cleanup(func() {
				mu.Lock()
				delete(urls, s)
				mu.Unlock()
			})
			return s
		},
		AppendHeld: func(t testing.TB, s eventstore.Store, stream string, evs []eventstore.EventData, release <-chan struct{}) <-chan error {
			conn := rawConn(t, urlOf(t, s))
			tx, _ := beginHeldAppend(t, conn, stream, evs)
			done := make(chan error, 1)
			go func() {
				<-release
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if err := tx.Commit(ctx); err != nil {
					done <- fmt.Errorf("commit held append: %w", err)
					return
				}
				done <- nil
			}()
			return done
		},
		KillConnections: func(t testing.TB, s eventstore.Store) {
			conn := rawConn(t, urlOf(t, s))
			ctx := ctxT(t, time.Minute)
			if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
				t.Fatalf("terminate backends: %v", err)
			}
			_ = conn.Close(ctx)
		},
	}
}
