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
		{Name: "a register is created", When: CreateRegister{r, st, "R1", "Till 1"}, Then: []Event{created}},
		{Name: "commands on a missing register", When: OpenShift{s1}, Err: rules.ErrNotFound},
		{Name: "a shift opens", Given: []Event{created}, When: OpenShift{s1}, Then: []Event{opened}},
		{Name: "opening the same shift again is a no-op", Given: []Event{created, opened}, When: OpenShift{s1}},
		{Name: "one open shift per register", Given: []Event{created, opened}, When: OpenShift{s2}, Err: ErrShiftAlreadyOpen},
		{Name: "closing assigns Z number 1", Given: []Event{created, opened}, When: CloseShift{s1}, Then: []Event{closed}},
		{Name: "Z numbers are sequential", Given: []Event{created, opened, closed, ShiftOpened{r, s2, now}}, When: CloseShift{s2}, Then: []Event{ShiftClosed{r, s2, 2, now}}},
		{Name: "closing again reuses the Z number (no event)", Given: []Event{created, opened, closed}, When: CloseShift{s1}},
		{Name: "a closed shift cannot reopen: Z numbers are final", Given: []Event{created, opened, closed}, When: OpenShift{s1}, Err: ErrShiftNotOpen},
		{Name: "closing a shift that is not open", Given: []Event{created}, When: CloseShift{s2}, Err: ErrShiftNotOpen},
		{Name: "a new shift opens after the close", Given: []Event{created, opened, closed}, When: OpenShift{s2}, Then: []Event{ShiftOpened{r, s2, now}}},
		{Name: "the first receipt number is 1", Given: []Event{created}, When: ReserveReceiptNumber{sale1}, Then: []Event{ReceiptNumberReserved{r, sale1, 1}}},
		{Name: "receipt numbers are sequential", Given: []Event{created, ReceiptNumberReserved{r, sale1, 1}}, When: ReserveReceiptNumber{sale2}, Then: []Event{ReceiptNumberReserved{r, sale2, 2}}},
		{Name: "a retry for the same sale reuses its number", Given: []Event{created, ReceiptNumberReserved{r, sale1, 1}, ReceiptNumberReserved{r, sale2, 2}}, When: ReserveReceiptNumber{sale1}},
	})
}

func TestReceiptNumberOf(t *testing.T) {
	s := decider.Fold([]Event{RegisterCreated{RegisterID: id(1), StoreID: id(2), Code: "R1"}, ReceiptNumberReserved{id(1), id(20), 1}, ReceiptNumberReserved{id(1), id(21), 2}})
	if n, ok := s.ReceiptNumberOf(id(20)); !ok || n != 1 {
		t.Fatalf("ReceiptNumberOf = %d, %v", n, ok)
	}
	if _, ok := s.ReceiptNumberOf(id(22)); ok {
		t.Fatal("unknown sale has a number")
	}
}
