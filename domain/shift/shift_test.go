package shift

import (
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
)

var (
	decider = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}
	t0      = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	t1      = t0.Add(10 * time.Hour)
)

func id(n byte) uuid.UUID     { var u uuid.UUID; u[15] = n; return u }
func eur(a int64) money.Money { return money.New(a, "EUR") }

func TestDecide(t *testing.T) {
	sh, st, reg := id(1), id(2), id(3)
	m1, sale1, sale2, ret1 := id(10), id(20), id(21), id(30)
	opened := ShiftOpened{ShiftID: sh, StoreID: st, RegisterID: reg, CashierID: "u1", OpeningFloat: eur(10000), OpenedAt: t0}
	// float 100.00 + sales 45.50 + 12.00 − refund 5.00 + paid in 20.00 − paid out 30.00 = 142.50
	day := []Event{opened,
		CashSaleRecorded{ShiftID: sh, SaleID: sale1, Amount: eur(4550)},
		CashSaleRecorded{ShiftID: sh, SaleID: sale2, Amount: eur(1200)},
		CashRefundRecorded{ShiftID: sh, ReturnID: ret1, Amount: eur(500)},
		CashMovementRecorded{ShiftID: sh, MovementID: m1, Type: PaidIn, Amount: eur(2000), Reason: "change", At: t0},
		CashMovementRecorded{ShiftID: sh, MovementID: id(11), Type: PaidOut, Amount: eur(3000), Reason: "bank", At: t0},
	}
	closed := func(counted, overShort int64, approver string) ShiftClosed {
		return ShiftClosed{ShiftID: sh, RegisterID: reg, ZNumber: 7, OpeningFloat: eur(10000), CashSales: eur(5750),
			CashRefunds: eur(500), PaidIn: eur(2000), PaidOut: eur(3000), ExpectedCash: eur(14250),
			CountedCash: eur(counted), OverShort: eur(overShort), SalesCount: 2, ApprovedBy: approver, ClosedAt: t1}
	}
	approval := &rules.Approval{ApproverID: "m1", Action: rules.ActionShiftCloseOverShort}
	closedEv := closed(14250, 0, "")
	gwt.Run(t, decider, t1, []gwt.Case[Command, Event]{
		{Name: "a shift opens with its float", When: Open{sh, st, reg, "u1", eur(10000)}, Then: []Event{ShiftOpened{sh, st, reg, "u1", eur(10000), t1}}},
		{Name: "a negative float is refused", When: Open{sh, st, reg, "u1", eur(-1)}, Err: rules.ErrValidation},
		{Name: "paid in", Given: []Event{opened}, When: RecordCashMovement{id(12), PaidIn, eur(500), "coins"}, Then: []Event{CashMovementRecorded{sh, id(12), PaidIn, eur(500), "coins", t1}}},
		{Name: "a movement needs a type, a positive amount and a reason", Given: []Event{opened}, When: RecordCashMovement{id(12), "borrow", eur(0), ""}, Err: rules.ErrValidation},
		{Name: "a repeated movement id is a no-op", Given: day, When: RecordCashMovement{m1, PaidIn, eur(2000), "change"}},
		{Name: "close: expected = float + cash sales − cash refunds + paid in − paid out; over/short = counted − expected",
			Given: day, When: Close{CountedCash: eur(14250), ZNumber: 7, Tolerance: 500}, Then: []Event{closedEv}},
		{Name: "short within tolerance closes without approval", Given: day, When: Close{CountedCash: eur(13750), ZNumber: 7, Tolerance: 500}, Then: []Event{closed(13750, -500, "")}},
		{Name: "short beyond tolerance needs an approval", Given: day, When: Close{CountedCash: eur(13749), ZNumber: 7, Tolerance: 500}, Err: rules.ErrApprovalRequired},
		{Name: "over beyond tolerance needs an approval", Given: day, When: Close{CountedCash: eur(15000), ZNumber: 7, Tolerance: 500}, Err: rules.ErrApprovalRequired},
		{Name: "an approval of another action does not do", Given: day, When: Close{CountedCash: eur(15000), ZNumber: 7, Tolerance: 500, Approval: &rules.Approval{ApproverID: "m1", Action: rules.ActionSaleVoid}}, Err: rules.ErrApprovalRequired},
		{Name: "over beyond tolerance with an approval records the approver", Given: day, When: Close{CountedCash: eur(15000), ZNumber: 7, Tolerance: 500, Approval: approval}, Then: []Event{closed(15000, 750, "m1")}},
		{Name: "closing needs the register's Z number", Given: day, When: Close{CountedCash: eur(14250)}, Err: rules.ErrValidation},
		{Name: "a retried close is a no-op", Given: append(day, closedEv), When: Close{CountedCash: eur(14250), ZNumber: 7}},
		{Name: "a closed shift's figures are final", Given: append(day, closedEv), When: Close{CountedCash: eur(1), ZNumber: 8}, Err: ErrShiftClosed},
		{Name: "no paid in after the close", Given: append(day, closedEv), When: RecordCashMovement{id(13), PaidIn, eur(1), "x"}, Err: ErrShiftClosed},
		{Name: "a cash sale arriving after the close is kept, flagged", Given: append(day, closedEv), When: RecordCashSale{id(22), eur(300)}, Then: []Event{CashSaleRecorded{sh, id(22), eur(300), true}}},
		{Name: "a cash refund arriving after the close is kept, flagged", Given: append(day, closedEv), When: RecordCashRefund{id(31), eur(300)}, Then: []Event{CashRefundRecorded{sh, id(31), eur(300), true}}},
		{Name: "cash in another currency", Given: day, When: RecordCashSale{id(23), money.New(1, "USD")}, Err: rules.ErrCurrencyMismatch},
		{Name: "commands on a missing shift", When: RecordCashSale{sale1, eur(1)}, Err: rules.ErrNotFound},
		// Bounds (issue 11.1): a float or a paid in of 2^63-1 stored once made the shift
		// unreadable and stopped the projections.
		{Name: "a float beyond money.MaxAmount is refused", When: Open{sh, st, reg, "u1", eur(math.MaxInt64)}, Err: rules.ErrValidation},
		{Name: "a float of money.MaxAmount opens", When: Open{sh, st, reg, "u1", eur(money.MaxAmount)}, Then: []Event{ShiftOpened{sh, st, reg, "u1", eur(money.MaxAmount), t1}}},
		{Name: "a paid in beyond money.MaxAmount is refused", Given: []Event{opened}, When: RecordCashMovement{id(12), PaidIn, eur(math.MaxInt64), "x"}, Err: rules.ErrValidation},
		{Name: "a paid out beyond money.MaxAmount is refused", Given: []Event{opened}, When: RecordCashMovement{id(12), PaidOut, eur(money.MaxAmount + 1), "x"}, Err: rules.ErrValidation},
		{Name: "counted cash beyond money.MaxAmount is refused", Given: day, When: Close{CountedCash: eur(math.MaxInt64), ZNumber: 7}, Err: rules.ErrValidation},
		{Name: "a cash sale beyond money.MaxAmount is refused", Given: day, When: RecordCashSale{id(23), eur(money.MaxAmount + 1)}, Err: rules.ErrValidation},
		{Name: "a paid in that would overflow the running figure is refused", Given: []Event{opened, CashMovementRecorded{ShiftID: sh, MovementID: m1, Type: PaidIn, Amount: eur(math.MaxInt64 - 10), Reason: "old", At: t0}},
			When: RecordCashMovement{id(12), PaidIn, eur(100), "x"}, Err: rules.ErrValidation},
		{Name: "a cash sale that would make the expected cash overflow is refused", Given: []Event{opened, CashMovementRecorded{ShiftID: sh, MovementID: m1, Type: PaidIn, Amount: eur(math.MaxInt64 - 10000), Reason: "old", At: t0}},
			When: RecordCashSale{id(23), eur(100)}, Err: rules.ErrValidation},
		{Name: "a shift stored before the bounds whose expected cash overflows cannot close, with a rule error", Given: []Event{opened, CashMovementRecorded{ShiftID: sh, MovementID: m1, Type: PaidIn, Amount: eur(math.MaxInt64), Reason: "old", At: t0}},
			When: Close{CountedCash: eur(0), ZNumber: 7}, Err: rules.ErrOutOfRange},
	})
}

func TestLateSaleDoesNotChangeZFigures(t *testing.T) {
	s := decider.Fold([]Event{
		ShiftOpened{ShiftID: id(1), OpeningFloat: eur(0), OpenedAt: t0},
		ShiftClosed{ShiftID: id(1), ZNumber: 1, ClosedAt: t1},
		CashSaleRecorded{ShiftID: id(1), SaleID: id(2), Amount: eur(100), AfterClose: true},
	})
	if e, _ := s.ExpectedCash(); e.Amount != 0 || s.LateSales != 1 {
		t.Fatalf("expected %v, late %d", e, s.LateSales)
	}
	if !s.OpenAt(t0.Add(time.Hour)) || s.OpenAt(t1.Add(time.Second)) || s.OpenAt(t0.Add(-time.Second)) {
		t.Fatal("OpenAt wrong")
	}
}

// TestSalesAreNotRememberedAndTheStateSnapshots: a shift of many sales keeps only the IDs of
// its refunds and movements, and its snapshot gives back the same state.
func TestSalesAreNotRememberedAndTheStateSnapshots(t *testing.T) {
	sh := id(1)
	evs := []Event{ShiftOpened{ShiftID: sh, StoreID: id(2), RegisterID: id(3), CashierID: "u1", OpeningFloat: eur(10000), OpenedAt: t0},
		CashMovementRecorded{ShiftID: sh, MovementID: id(10), Type: PaidIn, Amount: eur(2000), Reason: "change", At: t0},
		CashRefundRecorded{ShiftID: sh, ReturnID: id(30), Amount: eur(500)}}
	for i := range 1000 {
		evs = append(evs, CashSaleRecorded{ShiftID: sh, SaleID: uuid.NewSHA1(sh, []byte{byte(i), byte(i >> 8)}), Amount: eur(100)})
	}
	evs = append(evs, CashSaleRecorded{ShiftID: sh, SaleID: id(99), Amount: eur(7), AfterClose: true})
	s := decider.Fold(evs)
	if s.SalesCount != 1000 || s.CashSales != eur(100000) || s.LateSales != 1 {
		t.Fatalf("folded %d sales, %v cash, %d late", s.SalesCount, s.CashSales, s.LateSales)
	}
	if len(s.seen) != 2 {
		t.Fatalf("the state remembers %d IDs, want the movement and the refund only", len(s.seen))
	}
	got := gwt.SnapshotRoundTrip(t, s, MarshalSnapshot, UnmarshalSnapshot)
	// Remembered IDs still make repeats no-ops after the round trip.
	if evs, err := Decide(got, RecordCashRefund{ReturnID: id(30), Amount: eur(500)}, t1); err != nil || len(evs) != 0 {
		t.Fatalf("a repeated refund after the round trip: %v %v", evs, err)
	}
	closed := Evolve(got, ShiftClosed{ShiftID: sh, ZNumber: 3, ClosedAt: t1})
	if again := gwt.SnapshotRoundTrip(t, closed, MarshalSnapshot, UnmarshalSnapshot); !again.Closed || again.Close.ZNumber != 3 || !again.ClosedAt.Equal(t1) {
		t.Fatalf("a closed shift's snapshot: %+v", again)
	}
}

func TestCloneSharesNoMapWithTheOriginal(t *testing.T) {
	sh := id(1)
	s := decider.Fold([]Event{ShiftOpened{ShiftID: sh, StoreID: id(2), RegisterID: id(3), CashierID: "u1", OpeningFloat: eur(10000), OpenedAt: t0},
		CashMovementRecorded{ShiftID: sh, MovementID: id(10), Type: PaidIn, Amount: eur(2000), Reason: "change", At: t0}})
	before, _ := MarshalSnapshot(s)
	c := s.Clone()
	if b, _ := MarshalSnapshot(c); string(b) != string(before) {
		t.Fatalf("the clone differs from the original:\n%s\n%s", b, before)
	}
	Evolve(s, CashRefundRecorded{ShiftID: sh, ReturnID: id(30), Amount: eur(500)})
	if evs, err := Decide(c, RecordCashRefund{ReturnID: id(30), Amount: eur(500)}, t1); err != nil || len(evs) != 1 {
		t.Fatalf("a refund recorded on the original only is a repeat on the clone: %v %v", evs, err)
	}
	gwt.AssertCloneCopiesEveryReference(t, State{}, "seen")
}
