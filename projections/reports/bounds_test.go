package reports_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/reports"
)

// TestEventBeyondTheBoundsIsParked (issue 11.1): a hand-made paid in of 2^63-1, appended past
// the deciders, stopped the reports for every store (or wrapped a batch sum into a wrong
// figure). It is now parked with its shift's later events; the other shift's row goes on.
func TestEventBeyondTheBoundsIsParked(t *testing.T) {
	e := readtest.New(t, func(*eventstore.Codec) []projections.Projection { return reports.All() })
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	md := eventstore.Metadata{UserID: "cashier-1"}
	a, b := uuid.New(), uuid.New()
	paidIn := func(id uuid.UUID, amount int64) shift.CashMovementRecorded {
		return shift.CashMovementRecorded{ShiftID: id, MovementID: uuid.New(), Type: shift.PaidIn, Amount: money.New(amount, "EUR"), Reason: "x", At: at}
	}
	for _, id := range []uuid.UUID{a, b} {
		e.Append("shift-"+id.String(), md, shift.ShiftOpened{ShiftID: id, StoreID: uuid.New(), RegisterID: uuid.New(), OpeningFloat: money.New(1000, "EUR"), OpenedAt: at})
	}
	poison := e.Append("shift-"+a.String(), md, paidIn(a, math.MaxInt64))
	e.Append("shift-"+a.String(), md, paidIn(a, 100))
	e.Append("shift-"+b.String(), md, paidIn(b, 700))
	e.Sync(reports.Name)

	var paidA, paidB int64
	if err := e.Pool.QueryRow(context.Background(), `SELECT (SELECT paid_in FROM reports.shifts WHERE shift_id = $1),
		(SELECT paid_in FROM reports.shifts WHERE shift_id = $2)`, a, b).Scan(&paidA, &paidB); err != nil {
		t.Fatal(err)
	}
	if paidA != 0 || paidB != 700 {
		t.Fatalf("paid in: A %d (want 0: its overflow parked), B %d (want 700)", paidA, paidB)
	}
	st, err := e.Runner.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Status != "running" || st[0].ParkedCount != 2 || st[0].Parked[0].Position != poison {
		t.Fatalf("status = %+v, want running with the overflow and the event behind it parked", st)
	}
}
