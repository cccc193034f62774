package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/shift"
)

// TestCachedSnapshotsKeepTheLatestInMemory: every snapshot is kept in memory (a later one
// wins), the durable store gets one every 100 revisions of a stream, and a stream dropped from
// the full memory tier is loaded from the durable store again.
func TestCachedSnapshotsKeepTheLatestInMemory(t *testing.T) {
	ctx := context.Background()
	durable := commands.NewMemorySnapshots()
	c := commands.NewCachedSnapshots(durable, 100, 2)
	for rev := uint64(1); rev <= 250; rev++ {
		if err := c.SaveSnapshot(ctx, commands.Snapshot{Stream: "a", Kind: "k", Revision: rev}); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.SaveSnapshot(ctx, commands.Snapshot{Stream: "a", Kind: "k", Revision: 7})
	if s, ok, err := c.LoadSnapshot(ctx, "a", "k"); err != nil || !ok || s.Revision != 250 {
		t.Fatalf("memory tier: %+v %v %v, want revision 250", s, ok, err)
	}
	if d, _, _ := durable.LoadSnapshot(ctx, "a", "k"); durable.Saves() != 3 || d.Revision != 201 {
		t.Fatalf("durable store: %d saves, at revision %d; want 3 (1, 101, 201)", durable.Saves(), d.Revision)
	}
	for _, s := range []string{"b", "c"} {
		_ = c.SaveSnapshot(ctx, commands.Snapshot{Stream: s, Kind: "k", Revision: 1})
	}
	got := map[string]uint64{}
	for _, s := range []string{"a", "b", "c"} {
		snap, ok, err := c.LoadSnapshot(ctx, s, "k")
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", s, ok, err)
		}
		got[s] = snap.Revision
	}
	if got["a"] != 250 && got["a"] != 201 || got["b"] != 1 || got["c"] != 1 {
		t.Fatalf("after eviction: %v", got)
	}
}

// TestACommandsAppendIsTheNextLoadsSnapshot: with snapshots cached in memory, the state a
// command appended is kept as its stream's snapshot, so the next sale's loads of the register
// read only the snapshot's own event, not the previous sale's reservation again.
func TestACommandsAppendIsTheNextLoadsSnapshot(t *testing.T) {
	w, sales, cs, _ := snapshotWorldCached(t, true)
	for range 3 {
		if _, err := completeSale(t, w, sales); err != nil {
			t.Fatal(err)
		}
	}
	cs.read.Store(0)
	if _, err := completeSale(t, w, sales); err != nil {
		t.Fatal(err)
	}
	// Create and Complete each load the register once; step 3 appends to it as loaded.
	if got := cs.read.Load(); got != 2 {
		t.Fatalf("a sale read %d register events, want 2 (one per load, the snapshot's own)", got)
	}
}

// TestHeldStatesAreLoadedAsCopiesAndStoredEncoded: the register and shift states a process
// keeps in memory as values (Snapshotting.Clone) come back from every load as a copy of their
// own, so evolving one load's state changes neither the next load's nor the durable store's;
// the durable store gets them encoded, and a process without the memory tier loads the same
// states from there.
func TestHeldStatesAreLoadedAsCopiesAndStoredEncoded(t *testing.T) {
	ctx := context.Background()
	w := newSaleWorld(t)
	durable := commands.NewMemorySnapshots()
	h := commands.NewHandler(w.store, w.h.Codec(), commands.Options{Snapshots: commands.NewCachedSnapshots(durable, 10, 1000)})
	sales := commands.NewSales(h, time.Now)
	const n = 25
	for range n {
		if _, err := completeSale(t, w, sales); err != nil {
			t.Fatal(err)
		}
	}

	reg := commands.RegisterStream(w.reg)
	first, err := commands.Load(ctx, h, reg, commands.RegisterAggregate)
	if err != nil {
		t.Fatal(err)
	}
	phantom := uuid.New()
	register.Evolve(first.State, register.ShiftClosed{RegisterID: w.reg, ShiftID: phantom, ZNumber: 99})
	if _, closed := first.State.ZNumberOf(phantom); !closed {
		t.Fatal("the test's premise: Evolve records a close in the state's own map")
	}
	again, err := commands.Load(ctx, h, reg, commands.RegisterAggregate)
	if err != nil {
		t.Fatal(err)
	}
	if z, closed := again.State.ZNumberOf(phantom); closed {
		t.Fatalf("a close evolved into one load's state is in the next load's (Z %d)", z)
	}

	// The durable store holds encodings of what the memory tier held, and they decode.
	snap, ok, err := durable.LoadSnapshot(ctx, reg, register.SnapshotKind)
	if err != nil || !ok || len(snap.State) == 0 {
		t.Fatalf("the register's durable snapshot: %+v %v %v", snap, ok, err)
	}
	if st, err := register.UnmarshalSnapshot(snap.State); err != nil || st.LastReceipt != int64(snap.Revision)-1 {
		t.Fatalf("the durable register snapshot at revision %d: last receipt %d, %v", snap.Revision, st.LastReceipt, err)
	}
	if _, closed := mustDecodeRegister(t, snap.State).ZNumberOf(phantom); closed {
		t.Fatal("the close evolved into a load's state reached the durable store")
	}

	// Without the memory tier (another process), the durable snapshots and the events after
	// them give the same states as this process's memory.
	other := commands.NewHandler(w.store, w.h.Codec(), commands.Options{Snapshots: durable})
	for _, stream := range []string{commands.ShiftStream(w.shift)} {
		mine, err := commands.Load(ctx, h, stream, commands.ShiftAggregate)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := commands.Load(ctx, other, stream, commands.ShiftAggregate)
		if err != nil {
			t.Fatal(err)
		}
		if mine.State.SalesCount != n || theirs.State.SalesCount != n || mine.State.CashSales != theirs.State.CashSales ||
			mine.Revision != theirs.Revision {
			t.Fatalf("shift from memory: %d sales, %v at %d; from the durable store: %d sales, %v at %d; want %d sales",
				mine.State.SalesCount, mine.State.CashSales, mine.Revision, theirs.State.SalesCount, theirs.State.CashSales, theirs.Revision, n)
		}
	}
	if snap, ok, _ := durable.LoadSnapshot(ctx, commands.ShiftStream(w.shift), shift.SnapshotKind); !ok || len(snap.State) == 0 {
		t.Fatal("no encoded durable snapshot of the shift")
	}
}

func mustDecodeRegister(t *testing.T, b []byte) register.State {
	t.Helper()
	s, err := register.UnmarshalSnapshot(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
