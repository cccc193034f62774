package policies_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
)

// countingCheckpoints counts the saves of a MemoryCheckpoints.
type countingCheckpoints struct {
	*policies.MemoryCheckpoints
	saves atomic.Int32
}

func (c *countingCheckpoints) Save(ctx context.Context, name string, pos eventstore.Position) error {
	c.saves.Add(1)
	return c.MemoryCheckpoints.Save(ctx, name, pos)
}

// completedSales is a policy that only counts the completed sales it handles.
func completedSales(n *atomic.Int32) policies.Policy {
	return policies.Policy{Name: "count", Filter: eventstore.Filter{TypePrefixes: []string{sale.TypeSaleCompleted}},
		Handle: func(context.Context, eventstore.RecordedEvent) error { n.Add(1); return nil }}
}

// TestCheckpointIsSavedAtMostOncePerInterval: sales handled one batch at a time for a while
// cost about one save per CheckpointInterval, not one per batch, and the last handled position
// is saved an interval later without a stop.
func TestCheckpointIsSavedAtMostOncePerInterval(t *testing.T) {
	h, _ := newHandler(t)
	cp := &countingCheckpoints{MemoryCheckpoints: policies.NewMemoryCheckpoints()}
	var handled atomic.Int32
	const interval = 100 * time.Millisecond
	start(t, policies.Config{Handler: h, Checkpoints: cp, Policies: []policies.Policy{completedSales(&handled)},
		BatchWait: time.Millisecond, CheckpointInterval: interval})
	const sales = 30
	began := time.Now()
	for i := range sales {
		completeSale(t, h, i, "1", "1")
		waitFor(t, "the sale handled", func() bool { return handled.Load() == int32(i+1) }) // one batch per sale
		time.Sleep(5 * time.Millisecond)
	}
	last := lastSalePosition(t, h)
	waitFor(t, "the checkpoint at the last sale", func() bool { c, _ := cp.Load(context.Background(), "count"); return c == last })
	if most := int32(time.Since(began)/interval) + 2; cp.saves.Load() > most {
		t.Fatalf("%d saves for %d batches in %s, want at most %d", cp.saves.Load(), sales, time.Since(began), most)
	}
}

// TestStopSavesTheHandledPosition: with an interval too long to come, the runner still saves
// how far it got when it stops.
func TestStopSavesTheHandledPosition(t *testing.T) {
	h, _ := newHandler(t)
	cp := &countingCheckpoints{MemoryCheckpoints: policies.NewMemoryCheckpoints()}
	var handled atomic.Int32
	stop := start(t, policies.Config{Handler: h, Checkpoints: cp, Policies: []policies.Policy{completedSales(&handled)},
		BatchWait: time.Millisecond, CheckpointInterval: time.Hour})
	completeSale(t, h, 0, "1", "1")
	waitFor(t, "the first checkpoint", func() bool { c, _ := cp.Load(context.Background(), "count"); return c > 0 })
	first, _ := cp.Load(context.Background(), "count")
	completeSale(t, h, 1, "1", "1")
	waitFor(t, "the second sale handled", func() bool { return handled.Load() == 2 })
	time.Sleep(20 * time.Millisecond)
	if c, _ := cp.Load(context.Background(), "count"); c != first {
		t.Fatalf("checkpoint moved to %d within the interval (first save at %d)", c, first)
	}
	stop()
	if c, last := func() eventstore.Position { c, _ := cp.Load(context.Background(), "count"); return c }(), lastSalePosition(t, h); c != last {
		t.Fatalf("checkpoint %d after stop, want the last sale at %d", c, last)
	}
}
