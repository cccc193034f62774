package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// drainTotal is how many events the concurrent drain appends.
const drainTotal = 100_000

// testConcurrentDrain: 8 writers append 100,000 events in small batches to many streams while
// a subscriber drains $all, stopping and resuming from its saved checkpoint every few thousand
// events. The set delivered equals the set appended, each exactly once, in position order.
func testConcurrentDrain(t *testing.T, b Backend) {
	if testing.Short() {
		t.Skip("-short: the 100,000-event drain takes tens of seconds")
	}
	const writers = 8
	s, sc := b.NewStore(t), newScope(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	// Each writer records what it appended in its own slice; read after wg.Wait.
	var appended [writers][]uuid.UUID
	writeErr := make(chan error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for n, k := 0, 0; n < drainTotal/writers; k++ {
				size := min(1+rng.IntN(8), drainTotal/writers-n)
				stream := sc.stream(fmt.Sprintf("w%d-%d", w, k%40))
				evs := newEvents(stream, size)
				if _, err := s.Append(ctx, stream, eventstore.Any, evs); err != nil {
					writeErr <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				appended[w] = append(appended[w], ids(evs)...)
				n += size
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()

	seen := make(map[uuid.UUID]bool, drainTotal)
	checkpoint := eventstore.Start
	restarts := 0
	rng := rand.New(rand.NewPCG(7, 7))
	for len(seen) < drainTotal {
		select {
		case err := <-writeErr:
			t.Fatal(err)
		default:
		}
		sub := subscribe(t, s, ctx, checkpoint, sc.filter())
		stopAfter := 2000 + rng.IntN(4000)
		for n := 0; n < stopAfter && len(seen) < drainTotal; n++ {
			var e eventstore.RecordedEvent
			var ok bool
			select {
			case e, ok = <-sub.Events():
			case <-time.After(deliveryTimeout):
				t.Fatalf("no event for %s after %d of %d delivered (checkpoint %d)", deliveryTimeout, len(seen), drainTotal, checkpoint)
			}
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", len(seen), drainTotal, sub.Err())
			}
			if e.Position <= checkpoint {
				t.Fatalf("event at position %d delivered after checkpoint %d", e.Position, checkpoint)
			}
			if seen[e.ID] {
				t.Fatalf("event %s at position %d delivered twice", e.ID, e.Position)
			}
			seen[e.ID] = true
			checkpoint = e.Position
		}
		if err := sub.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		restarts++
	}
	wg.Wait()
	select {
	case err := <-writeErr:
		t.Fatal(err)
	default:
	}
	n := 0
	for _, ws := range appended {
		for _, id := range ws {
			n++
			if !seen[id] {
				t.Fatalf("appended event %s never delivered", id)
			}
		}
	}
	if n != drainTotal {
		t.Fatalf("writers appended %d events, want %d", n, drainTotal)
	}
	if restarts < 10 {
		t.Fatalf("subscriber restarted only %d times; the case needs many resumptions", restarts)
	}
	t.Logf("%d events delivered exactly once across %d subscription restarts", len(seen), restarts)
}
