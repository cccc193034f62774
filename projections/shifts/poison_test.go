package shifts_test

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
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/shifts"
)

// TestOverflowingPaidInStopsNeitherTheListNorOtherStores is the read side of issue 11.1 with
// hand-made events appended straight through the store, past the deciders' bounds. A float of
// 2^63-1 made the list of every store fail (the expected cash overflowed in the query): the
// list now answers, that shift without expected_cash. A paid in of 2^63-1 made the projection
// stop on bigint out of range (or, summed in one batch with another, wrap around into a wrong
// figure): it is now parked with the later events of its shift, and another store's shift
// goes on.
func TestOverflowingPaidInStopsNeitherTheListNorOtherStores(t *testing.T) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection { return []projections.Projection{shifts.New(c)} })
	q := shifts.NewQueries(e.Pool)
	ctx := context.Background()
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	md := eventstore.Metadata{UserID: "cashier-1"}
	storeA, storeB, a, b := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	paidIn := func(id uuid.UUID, amount int64) shift.CashMovementRecorded {
		return shift.CashMovementRecorded{ShiftID: id, MovementID: uuid.New(), Type: shift.PaidIn, Amount: eur(amount), Reason: "x", At: at}
	}
	e.Append("shift-"+a.String(), md, shift.ShiftOpened{ShiftID: a, StoreID: storeA, RegisterID: uuid.New(), OpeningFloat: eur(math.MaxInt64), OpenedAt: at},
		paidIn(a, money.MaxAmount))
	e.Append("shift-"+b.String(), md, shift.ShiftOpened{ShiftID: b, StoreID: storeB, RegisterID: uuid.New(), OpeningFloat: eur(5000), OpenedAt: at.Add(time.Hour)})
	e.Sync(shifts.Name)

	list := func() map[uuid.UUID]shifts.Shift {
		t.Helper()
		p, err := q.List(ctx, shifts.Filter{}, readkit.Request{})
		if err != nil {
			t.Fatalf("list of every store: %v", err)
		}
		out := map[uuid.UUID]shifts.Shift{}
		for _, s := range p.Items {
			out[s.ID] = s
		}
		return out
	}
	all := list()
	if all[a].ExpectedCash != nil || all[a].PaidIn.Amount != money.MaxAmount || all[b].ExpectedCash == nil || all[b].ExpectedCash.Amount != 5000 {
		t.Fatalf("list = %+v, want shift A without expected cash and B at 50.00", all)
	}

	poison := e.Append("shift-"+a.String(), md, paidIn(a, math.MaxInt64)) // beyond the bounds
	e.Append("shift-"+a.String(), md, paidIn(a, 100))                     // parked behind it
	e.Append("shift-"+b.String(), md, paidIn(b, 700))                     // another store goes on
	e.Sync(shifts.Name)
	all = list()
	if all[b].PaidIn.Amount != 700 || all[b].ExpectedCash.Amount != 5700 || all[a].PaidIn.Amount != money.MaxAmount {
		t.Fatalf("after the overflow: A %+v, B %+v", all[a], all[b])
	}
	st, err := e.Runner.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Status != "running" || st[0].ParkedCount != 2 || st[0].Parked[0].Position != poison ||
		st[0].Parked[0].Stream != "shift-"+a.String() {
		t.Fatalf("status = %+v, want running with the overflow and the event behind it parked", st)
	}
}
