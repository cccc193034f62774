package register

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/rules"
)

var (
	decider = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}
	now     = time.Date(2025, 3, 1, 18, 0, 0, 0, time.UTC)
)

func id(n byte) uuid.UUID { var u uuid.UUID; u[15] = n; return u }

func TestDecide(t *testing.T) {
	r, st := id(1), id(2)
	s1, s2, sale1, sale2 := id(10), id(11), id(20), id(21)
	created := RegisterCreated{RegisterID: r, StoreID: st, Code: "R1", Name: "Till 1"}
	opened := ShiftOpened{RegisterID: r, ShiftID: s1, OpenedAt: now}
	closed := ShiftClosed{RegisterID: r, ShiftID: s1, ZNumber: 1, ClosedAt: now}
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "a register is created", When: CreateRegister{RegisterID: r, StoreID: st, Code: "R1", Name: "Till 1"}, Then: []Event{created}},
		{Name: "a history register takes no live receipt numbers", Given: []Event{RegisterCreated{RegisterID: r, StoreID: st, Code: "V1", History: true}},
			When: ReserveReceiptNumber{sale1}, Err: ErrHistoryRegister},
		{Name: "commands on a missing register", When: OpenShift{s1}, Err: rules.ErrNotFound},
		{Name: "a shift opens", Given: []Event{created}, When: OpenShift{s1}, Then: []Event{opened}},
		{Name: "opening the same shift again is a no-op", Given: []Event{created, opened}, When: OpenShift{s1}},
		{Name: "one open shift per register", Given: []Event{created, opened}, When: OpenShift{s2}, Err: ErrShiftAlreadyOpen},
		{Name: "closing assigns Z number 1", Given: []Event{created, opened}, When: CloseShift{s1}, Then: []Event{closed}},
		{Name: "Z numbers are sequential", Given: []Event{created, opened, closed, ShiftOpened{r, s2, now}}, When: CloseShift{s2}, Then: []Event{ShiftClosed{r, s2, 2, now}}},
		{Name: "closing again reuses the Z number (no event)", Given: []Event{created, opened, closed}, When: CloseShift{s1}},
		{Name: "opening a closed shift again is a no-op: its Z number stays final", Given: []Event{created, opened, closed}, When: OpenShift{s1}},
		{Name: "closing a shift that is not open", Given: []Event{created}, When: CloseShift{s2}, Err: ErrShiftNotOpen},
		{Name: "a new shift opens after the close", Given: []Event{created, opened, closed}, When: OpenShift{s2}, Then: []Event{ShiftOpened{r, s2, now}}},
		{Name: "the first receipt number is 1", Given: []Event{created}, When: ReserveReceiptNumber{sale1}, Then: []Event{ReceiptNumberReserved{r, sale1, 1}}},
		{Name: "receipt numbers are sequential", Given: []Event{created, ReceiptNumberReserved{r, sale1, 1}}, When: ReserveReceiptNumber{sale2}, Then: []Event{ReceiptNumberReserved{r, sale2, 2}}},
	})
}

func TestSnapshotRoundTripsTheState(t *testing.T) {
	r, s1, s2 := id(1), id(10), id(11)
	s := decider.Fold([]Event{RegisterCreated{RegisterID: r, StoreID: id(2), Code: "R1", Name: "Till 1"},
		ShiftOpened{r, s1, now}, ReceiptNumberReserved{r, id(20), 1}, ShiftClosed{r, s1, 1, now},
		ShiftOpened{r, s2, now}, ReceiptNumberReserved{r, id(21), 2}})
	got := gwt.SnapshotRoundTrip(t, s, MarshalSnapshot, UnmarshalSnapshot)
	// The decoded state decides like the folded one, and owns its map.
	if z, ok := got.ZNumberOf(s1); !ok || z != 1 {
		t.Fatalf("ZNumberOf(s1) after the round trip = %d, %v", z, ok)
	}
	if z, _ := Evolve(got, ShiftClosed{r, s2, 2, now}).ZNumberOf(s2); z != 2 {
		t.Fatalf("the decoded state closed s2 with Z %d, want 2", z)
	}
	if _, ok := s.ZNumberOf(s2); ok {
		t.Fatal("evolving the decoded state changed the original's map")
	}
}

func TestCloneSharesNoMapWithTheOriginal(t *testing.T) {
	r, s1, s2 := id(1), id(10), id(11)
	s := decider.Fold([]Event{RegisterCreated{RegisterID: r, StoreID: id(2), Code: "R1", Name: "Till 1"},
		ShiftOpened{r, s1, now}, ShiftClosed{r, s1, 1, now}, ShiftOpened{r, s2, now}})
	before, _ := MarshalSnapshot(s)
	c := s.Clone()
	if b, _ := MarshalSnapshot(c); string(b) != string(before) {
		t.Fatalf("the clone differs from the original:\n%s\n%s", b, before)
	}
	Evolve(s, ShiftClosed{r, s2, 2, now})
	if _, ok := c.ZNumberOf(s2); ok {
		t.Fatal("closing a shift on the original changed the clone")
	}
	c2 := c.Clone()
	Evolve(c2, ShiftClosed{r, s2, 7, now})
	if z, _ := c.ZNumberOf(s2); z != 0 {
		t.Fatalf("closing a shift on a clone of the clone changed the clone (Z %d)", z)
	}
	gwt.AssertCloneCopiesEveryReference(t, State{}, "zByShift")
}
