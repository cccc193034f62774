package shifts_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	dreturns "github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/shifts"
)

func eur(a int64) money.Money { return money.New(a, "EUR") }

func TestFoldXAndZFigures(t *testing.T) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection { return []projections.Projection{shifts.New(c)} })
	q := shifts.NewQueries(e.Pool)
	ctx := context.Background()
	st, reg, id := uuid.New(), uuid.New(), uuid.New()
	md := eventstore.Metadata{UserID: "cashier-1"}
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	stream := "shift-" + id.String()
	s1, s2, ret := uuid.New(), uuid.New(), uuid.New()
	e.Append(stream, md,
		shift.ShiftOpened{ShiftID: id, StoreID: st, RegisterID: reg, CashierID: "cashier-1", OpeningFloat: eur(10000), OpenedAt: at},
		shift.CashMovementRecorded{ShiftID: id, MovementID: uuid.New(), Type: shift.PaidIn, Amount: eur(500)},
		shift.CashMovementRecorded{ShiftID: id, MovementID: uuid.New(), Type: shift.PaidOut, Amount: eur(200)},
		shift.CashSaleRecorded{ShiftID: id, SaleID: s1, Amount: eur(1200)},
		shift.CashSaleRecorded{ShiftID: id, SaleID: s2, Amount: eur(0)},
		shift.CashRefundRecorded{ShiftID: id, ReturnID: ret, Amount: eur(300)})
	e.Append("sale-"+s1.String(), md, sale.SaleCompleted{SaleID: s1, StoreID: st, RegisterID: reg, ShiftID: id,
		Totals:   sale.Totals{Total: eur(1200), Tax: eur(200), Discount: eur(100), Paid: eur(1500), Change: eur(300)},
		Payments: []sale.Payment{{ID: uuid.New(), Tender: "cash", Amount: eur(1500)}}})
	e.Append("sale-"+s2.String(), md, sale.SaleCompleted{SaleID: s2, StoreID: st, RegisterID: reg, ShiftID: id,
		Totals:   sale.Totals{Total: eur(800), Tax: eur(100), Paid: eur(800)},
		Payments: []sale.Payment{{ID: uuid.New(), Tender: "card", Amount: eur(500)}, {ID: uuid.New(), Tender: "gift_card", Amount: eur(300)}}})
	e.Append("return-"+ret.String(), md, dreturns.ReturnRecorded{ReturnID: ret, SaleID: s1, StoreID: st, ShiftID: id, Total: eur(300),
		Refunds: []dreturns.Refund{{ID: uuid.New(), Tender: "cash", Amount: eur(300)}}})
	e.Sync(shifts.Name)

	get := func() shifts.Shift {
		t.Helper()
		p, err := q.List(ctx, shifts.Filter{StoreID: st}, readkit.Request{})
		if err != nil || len(p.Items) != 1 {
			t.Fatalf("list: %+v %v", p.Items, err)
		}
		return p.Items[0]
	}
	x := get()
	if x.Status != "open" || x.ExpectedCash.Amount != 10000+1200-300+500-200 || x.SalesCount != 2 || x.CompletedSales != 2 ||
		x.GrossSales.Amount != 2000 || x.SalesTax.Amount != 300 || x.SalesDiscount.Amount != 100 || x.ReturnsCount != 1 || x.ReturnsTotal.Amount != 300 {
		t.Fatalf("X report: %+v", x)
	}
	want := map[string][3]int64{"card": {500, 0, 1}, "cash": {1200, 300, 2}, "gift_card": {300, 0, 1}}
	if len(x.Tenders) != 3 {
		t.Fatalf("tenders: %+v", x.Tenders)
	}
	for _, tn := range x.Tenders {
		w := want[tn.Tender]
		if tn.Sales.Amount != w[0] || tn.Refunds.Amount != w[1] || int64(tn.Count) != w[2] {
			t.Fatalf("tender %+v, want %v", tn, w)
		}
	}
	e.Append("register-"+reg.String(), md, register.ShiftClosed{RegisterID: reg, ShiftID: id, ZNumber: 3})
	e.Sync(shifts.Name)
	if c := get(); c.Status != "closing" || c.ZNumber == nil || *c.ZNumber != 3 {
		t.Fatalf("closing: %+v", c)
	}
	e.Append(stream, md, shift.ShiftClosed{ShiftID: id, RegisterID: reg, ZNumber: 3, ExpectedCash: eur(11200), CountedCash: eur(11150),
		OverShort: eur(-50), ClosedAt: at.Add(8 * time.Hour)},
		shift.CashSaleRecorded{ShiftID: id, SaleID: uuid.New(), Amount: eur(999), AfterClose: true})
	e.Sync(shifts.Name)
	z := get()
	if z.Status != "closed" || z.ExpectedCash.Amount != 11200 || z.CountedCash == nil || z.CountedCash.Amount != 11150 ||
		z.OverShort.Amount != -50 || z.LateSales != 1 || z.CashSales.Amount != 1200 || z.ClosedAt == nil {
		t.Fatalf("Z report: %+v", z)
	}
	if p, _ := q.List(ctx, shifts.Filter{StoreIDs: []uuid.UUID{uuid.New()}}, readkit.Request{}); len(p.Items) != 0 {
		t.Fatalf("out of scope: %+v", p.Items)
	}
	if p, _ := q.List(ctx, shifts.Filter{Status: "open"}, readkit.Request{}); len(p.Items) != 0 {
		t.Fatalf("open filter: %+v", p.Items)
	}
}
