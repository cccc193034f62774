package commands

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// TestASavedStateIsACopyTheCallerMayGoOnEvolving: saveSnapshot keeps a clone of the state it
// is given (Snapshotting.Clone), since its caller may go on evolving that state (the steps of
// ExecuteSteps do), and Evolve updates a register's Z numbers in place.
func TestASavedStateIsACopyTheCallerMayGoOnEvolving(t *testing.T) {
	ctx := context.Background()
	h := NewHandler(memstore.New(), eventstore.NewCodec(), Options{Snapshots: NewCachedSnapshots(NewMemorySnapshots(), 100, 10)})
	r, s1, now := uuid.New(), uuid.New(), time.Now()
	st := register.Evolve(register.Evolve(register.State{},
		register.RegisterCreated{RegisterID: r, StoreID: uuid.New(), Code: "R1", Name: "Till 1"}),
		register.ShiftOpened{RegisterID: r, ShiftID: s1, OpenedAt: now})
	const stream = "register-held"
	saveSnapshot(ctx, h, stream, RegisterAggregate, Loaded[register.State]{State: st, Exists: true, Revision: 1})
	register.Evolve(st, register.ShiftClosed{RegisterID: r, ShiftID: s1, ZNumber: 1, ClosedAt: now})

	snap, ok := loadSnapshot(ctx, h, stream, RegisterAggregate)
	if !ok || snap.held == nil {
		t.Fatalf("the memory tier holds no state: %+v %v", snap, ok)
	}
	got, err := snapshotLoaded(RegisterAggregate, snap)
	if err != nil {
		t.Fatal(err)
	}
	if z, closed := got.State.ZNumberOf(s1); closed {
		t.Fatalf("a close evolved after the save is in the saved state (Z %d)", z)
	}
	if got.State.OpenShiftID != s1 || got.Revision != 1 {
		t.Fatalf("the saved state: open shift %s at revision %d, want %s at 1", got.State.OpenShiftID, got.Revision, s1)
	}
}
