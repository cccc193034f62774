package commands_test

import (
	"context"
	"testing"

	"github.com/odata-pos/pos/commands"
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
