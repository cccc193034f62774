package pgstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// An atomic call writes known streams and new ones with the plain statements and the hashes
// computed in Go, chained across two appends of the call to one stream; where the store's
// tip is stale (another store moved the stream) or wrong, the call runs by append_events and
// still stores a verified chain.
func TestAtomicAppendsChainHashes(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	other := openOn(t, url, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	shift, register := "shift-1", "register-1"
	mustAppend(t, s, shift, eventstore.NoStream, events(2))
	mustAppend(t, s, register, eventstore.NoStream, events(1))

	call := func(sale string, shiftAt, registerAt uint64) []eventstore.AppendResult {
		t.Helper()
		out, err := s.AppendAtomic(ctx, []eventstore.StreamAppend{
			{Stream: sale, Expected: eventstore.NoStream, Events: events(6)},
			{Stream: shift, Expected: eventstore.Exact(shiftAt), Events: events(1)},
			{Stream: register, Expected: eventstore.Exact(registerAt), Events: events(1)},
			{Stream: sale, Expected: eventstore.Exact(5), Events: events(1)},
		})
		if err != nil {
			t.Fatalf("atomic append of %s: %v", sale, err)
		}
		for _, stream := range []string{sale, shift, register} {
			verifyChain(t, s, stream)
		}
		return out
	}
	call("sale-1", 1, 0)
	if got := s.KnownWritten(); got != 3 {
		t.Fatalf("%d appends of the call written by the known-tip statement, want 3 (shift, register, the sale's second)", got)
	}

	// Another store moves the shift: s's tip is stale, the call falls back and succeeds.
	mustAppend(t, other, shift, eventstore.Any, events(1))
	out := call("sale-2", 3, 1)
	if out[1].Revision != 4 || out[3].Revision != 6 {
		t.Fatalf("after a stale tip the call answered %+v", out)
	}

	// A tip with the right revision and a wrong hash must not extend the chain from it.
	s.SetTip(register, 2, make([]byte, chain.Size))
	call("sale-3", 4, 2)
}

// TestAtomicAppendsAndBatchersDoNotDeadlock: atomic calls append to two streams against their
// name order (as a one-shot sale appends to its shift, then its register) while plain
// appends to both go through the batchers, which lock streams in name order. Every append
// succeeds: no deadlock aborts one side (SQLSTATE 40P01).
func TestAtomicAppendsAndBatchersDoNotDeadlock(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{DirectAppends: -1}) // every plain append through a batcher
	ctx := ctxT(t, 2*time.Minute)
	first, second := "register-"+uuid.NewString(), "shift-"+uuid.NewString()
	mustAppend(t, s, first, eventstore.NoStream, events(1))
	mustAppend(t, s, second, eventstore.NoStream, events(1))
	const workers, rounds = 4, 40
	var g errgroup.Group
	for range workers {
		g.Go(func() error {
			for range rounds {
				if _, err := s.AppendAtomic(ctx, []eventstore.StreamAppend{
					{Stream: second, Expected: eventstore.Any, Events: events(1)},
					{Stream: first, Expected: eventstore.Any, Events: events(1)}}); err != nil {
					return fmt.Errorf("atomic: %w", err)
				}
			}
			return nil
		})
		for _, stream := range []string{first, second} {
			g.Go(func() error {
				for range rounds {
					if _, err := s.Append(ctx, stream, eventstore.Any, events(1)); err != nil {
						return fmt.Errorf("append %s: %w", stream, err)
					}
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestAtomicAppendRetriesADeadlockVictim: another session holds one stream's row and then asks
// for the other's, which the atomic call holds: the server breaks the deadlock by aborting the
// call's transaction (it waited first, so its check runs first). Nothing of it was committed,
// and the call runs again once the other session commits, instead of failing the sale.
func TestAtomicAppendRetriesADeadlockVictim(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	mustAppend(t, s, "register-1", eventstore.NoStream, events(1))
	mustAppend(t, s, "shift-1", eventstore.NoStream, events(1))
	conn, watcher := rawConn(t, url), rawConn(t, url)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL aborts whichever session first runs its deadlock check, deadlock_timeout after
	// it began to wait. The call waits first, but by only the few milliseconds of the poll
	// below: on a busy machine this session's check could run first and make it the victim.
	// Its check waits far longer, so the call is always the one aborted.
	if _, err := tx.Exec(ctx, `SET LOCAL deadlock_timeout = '10s'`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM streams WHERE stream_id = 'shift-1' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.AppendAtomic(ctx, []eventstore.StreamAppend{
			{Stream: "register-1", Expected: eventstore.Exact(0), Events: events(1)},
			{Stream: "shift-1", Expected: eventstore.Exact(0), Events: events(1)},
		})
		done <- err
	}()
	// Wait until the call holds register-1 and waits for shift-1, then close the cycle.
	for i := 0; ; i++ {
		var waiting bool
		if err := watcher.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database())`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		if i == 500 {
			t.Fatal("the atomic call never waited for the row")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM streams WHERE stream_id = 'register-1' FOR UPDATE`); err != nil {
		t.Fatalf("the other session was chosen as the victim: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("atomic append after a deadlock: %v", err)
	}
	for _, stream := range []string{"register-1", "shift-1"} {
		if evs := verifyChain(t, s, stream); len(evs) != 2 {
			t.Fatalf("%s holds %d events, want 2", stream, len(evs))
		}
	}
}
