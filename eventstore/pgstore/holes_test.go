package pgstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// TestReadAllStopsBeforeHeldAppend: an append that took position 2 and has not committed
// hides position 3 from every reader until it commits; then both come, once each.
func TestReadAllStopsBeforeHeldAppend(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	mustAppend(t, s, "sale-1", eventstore.NoStream, events(1))
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	tx, held := beginHeldAppend(t, rawConn(t, url), "sale-2", events(1))
	later := mustAppend(t, s, "sale-3", eventstore.NoStream, events(1))
	if held != 2 || later.Position != 3 {
		t.Fatalf("held at %d, later at %d; want 2 and 3", held, later.Position)
	}

	if got, err := s.ReadAll(ctx, eventstore.Start, 10, eventstore.Filter{}); err != nil || !slices.Equal(positions(got), []eventstore.Position{1}) {
		t.Fatalf("read while 2 is in flight: %v, err %v; want [1]", positions(got), err)
	}
	if got, err := s.ReadAll(ctx, 1, 10, eventstore.Filter{}); err != nil || len(got) != 0 {
		t.Fatalf("read after 1 while 2 is in flight: %v, err %v; want nothing", positions(got), err)
	}
	if head, err := s.HeadPosition(ctx); err != nil || head != 1 {
		t.Fatalf("head while 2 is in flight: %d, err %v; want 1", head, err)
	}
	if got := receiveN(t, sub, 1); got[0].Position != 1 {
		t.Fatalf("subscription delivered %d first, want 1", got[0].Position)
	}
	quiet(t, sub, 500*time.Millisecond)

	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := receiveN(t, sub, 2); !slices.Equal(positions(got), []eventstore.Position{2, 3}) {
		t.Fatalf("subscription delivered %v after the commit, want [2 3]", positions(got))
	}
	quiet(t, sub, 300*time.Millisecond)
	if got, err := s.ReadAll(ctx, 1, 10, eventstore.Filter{}); err != nil || !slices.Equal(positions(got), []eventstore.Position{2, 3}) {
		t.Fatalf("read after the commit: %v, err %v; want [2 3]", positions(got), err)
	}
	if head, err := s.HeadPosition(ctx); err != nil || head != 3 {
		t.Fatalf("head after the commit: %d, err %v; want 3", head, err)
	}
}

// TestRolledBackAppendIsSkippedOnlyAfterProof: the positions of a rolled-back append stay a
// hole for good; readers pass it once the append has ended, never before.
func TestRolledBackAppendIsSkippedOnlyAfterProof(t *testing.T) {
	waits := make(chan pgstore.HoleWait, 16)
	s, url := newStore(t, pgstore.Options{OnHoleWait: func(w pgstore.HoleWait) {
		select {
		case waits <- w:
		default:
		}
	}})
	ctx := ctxT(t, time.Minute)
	tx, held := beginHeldAppend(t, rawConn(t, url), "sale-1", events(2))
	later := mustAppend(t, s, "sale-2", eventstore.NoStream, events(1))
	if held != 2 || later.Position != 3 {
		t.Fatalf("held through %d, later at %d; want 2 and 3", held, later.Position)
	}
	if got, err := s.ReadAll(ctx, eventstore.Start, 10, eventstore.Filter{}); err != nil || len(got) != 0 {
		t.Fatalf("read while 1-2 are in flight: %v, err %v; want nothing", positions(got), err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReadAll(ctx, eventstore.Start, 10, eventstore.Filter{}); err != nil || !slices.Equal(positions(got), []eventstore.Position{3}) {
		t.Fatalf("read after the rollback: %v, err %v; want [3]", positions(got), err)
	}
	select {
	case w := <-waits:
		if w.Err != nil || w.Blockers < 1 || w.Through < 3 {
			t.Fatalf("hole wait reported %+v, want one blocker through position 3", w)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnHoleWait was not called for the wait on the held append")
	}

	// A new store (no proof remembered) passes the dead hole too.
	s2, err := pgstore.Open(ctx, url, pgstore.Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := s2.ReadAll(ctx, eventstore.Start, 10, eventstore.Filter{}); err != nil || !slices.Equal(positions(got), []eventstore.Position{3}) {
		t.Fatalf("fresh store read: %v, err %v; want [3]", positions(got), err)
	}
}

// TestReadersNeverSkipUnderConcurrentWriters: writers commit out of order (store appends and
// raw appends that sleep before committing or rolling back) while a reader pages through $all
// with its last position as the only checkpoint and a subscriber follows live. Both see every
// committed event exactly once, in position order.
func TestReadersNeverSkipUnderConcurrentWriters(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	var mu sync.Mutex
	committed := map[uuid.UUID]bool{}
	record := func(evs []eventstore.EventData) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			committed[e.ID] = true
		}
	}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 150 {
				evs := events(1 + i%4)
				if _, err := s.Append(ctx, fmt.Sprintf("sale-%d-%d", w, i%7), eventstore.Any, evs); err != nil {
					t.Error(err)
					return
				}
				record(evs)
			}
		}()
	}
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn := rawConn(t, url)
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range 40 {
				evs := events(1 + rng.IntN(3))
				tx, _, err := tryHeldAppend(ctx, conn, fmt.Sprintf("slow-%d-%d", w, i), evs)
				if err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
				if rng.IntN(3) == 0 {
					_ = tx.Rollback(ctx)
					continue
				}
				if err := tx.Commit(ctx); err != nil {
					t.Error(err)
					return
				}
				record(evs)
			}
		}()
	}

	var paged []eventstore.RecordedEvent
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	from, finished := eventstore.Start, false
	for !finished {
		select {
		case <-done:
			finished = true // one more full pass after the last commit
		default:
		}
		for {
			evs, err := s.ReadAll(ctx, from, 37, eventstore.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 {
				break
			}
			paged = append(paged, evs...)
			from = evs[len(evs)-1].Position
			if !finished {
				break
			}
		}
	}
	mu.Lock()
	want := len(committed)
	mu.Unlock()
	check := func(name string, got []eventstore.RecordedEvent) {
		t.Helper()
		seen := map[uuid.UUID]bool{}
		for i, e := range got {
			if i > 0 && e.Position <= got[i-1].Position {
				t.Fatalf("%s: position %d after %d", name, e.Position, got[i-1].Position)
			}
			if seen[e.ID] || !committed[e.ID] {
				t.Fatalf("%s: event %s at %d delivered twice or never committed", name, e.ID, e.Position)
			}
			seen[e.ID] = true
		}
		if len(seen) != want {
			t.Fatalf("%s: %d events, want %d committed", name, len(seen), want)
		}
	}
	check("paging reader", paged)
	check("subscriber", receiveN(t, sub, want))
	quiet(t, sub, 300*time.Millisecond)
}
