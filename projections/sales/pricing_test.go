package sales_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/sales"
)

// parked is an open sale of a store pricing without tax, rounding half to even: three lines
// (one weighed, one with its own discount), one removed, a sale discount, a line discount
// applied later and a partial card payment.
func parked(id uuid.UUID) []sale.Event {
	l1, l2, l3 := uuid.New(), uuid.New(), uuid.New()
	line := func(lid uuid.UUID, milli, unit, taxBP int64, rule sale.Discount) sale.LineAdded {
		return sale.LineAdded{SaleID: id, Line: sale.Line{ID: lid, ProductID: uuid.New(), SKU: "S-" + lid.String()[:4], Name: "N",
			Quantity: quantity.FromMilli(milli), UnitPrice: eur(unit), ListPrice: eur(unit), TaxCode: "T", TaxRateBP: taxBP, DiscountRule: rule}}
	}
	return []sale.Event{
		sale.SaleOpened{SaleID: id, StoreID: storeA, RegisterID: reg, ShiftID: shift, CashierID: "cashier-1", Currency: "EUR",
			Rounding: money.HalfEven, OpenedAt: day},
		line(l1, 3000, 199, 2000, sale.Discount{PercentBP: 1000}),
		line(l2, 1255, 199, 1000, sale.Discount{}),
		line(l3, 2000, 100, 2000, sale.Discount{}),
		sale.LineRemoved{SaleID: id, LineID: l3},
		sale.DiscountApplied{SaleID: id, Discount: sale.Discount{Amount: eur(100)}},
		sale.DiscountApplied{SaleID: id, LineID: l2, Discount: sale.Discount{PercentBP: 550}},
		sale.PaymentAdded{SaleID: id, Payment: sale.Payment{ID: uuid.New(), Tender: "card", Amount: eur(500)}},
	}
}

// checkPriced asserts that the read model shows sale id as the domain prices events.
func checkPriced(t *testing.T, q *sales.Queries, id uuid.UUID, events []sale.Event) {
	t.Helper()
	ctx := context.Background()
	st := evolve(events)
	want, wantLines, err := st.Priced()
	if err != nil {
		t.Fatal(err)
	}
	p, err := q.List(ctx, sales.Filter{}, readkit.Request{})
	if err != nil {
		t.Fatal(err)
	}
	var got *sales.Sale
	for i := range p.Items {
		if p.Items[i].ID == id {
			got = &p.Items[i]
		}
	}
	if got == nil {
		t.Fatalf("sale %s not listed", id)
	}
	w := sales.Totals{Subtotal: want.Subtotal, Discount: want.Discount, Tax: want.Tax, Total: want.Total, Paid: want.Paid,
		Change: want.Change, Due: want.Due}
	if got.Totals != w || got.LineCount != len(wantLines) || got.Status != string(st.Status) {
		t.Fatalf("after %d events: sale %+v %d lines, want %+v %d lines", len(events), got.Totals, got.LineCount, w, len(wantLines))
	}
	lines, err := q.Lines(ctx, id, nil, readkit.Request{})
	if err != nil || len(lines.Items) != len(wantLines) {
		t.Fatalf("after %d events: lines %+v %v, want %d", len(events), lines.Items, err, len(wantLines))
	}
	for i, l := range lines.Items {
		wl := wantLines[i]
		rule := sale.Discount{}
		if l.DiscountRule != nil {
			rule = *l.DiscountRule
		}
		if l.ID != wl.ID || l.Discount != wl.Discount || l.Tax != wl.Tax || l.Total != wl.Total || l.TaxRateBP != wl.TaxRateBP ||
			rule.PercentBP != wl.DiscountRule.PercentBP || rule.Amount.Amount != wl.DiscountRule.Amount.Amount || l.Priced {
			t.Fatalf("after %d events: line %d %+v, want %+v", len(events), i, l, wl)
		}
	}
}

// TestOpenSalePricedAsTheDomain folds the parked sale one event per batch (each loaded back
// from the tables) and checks after every event that its lines and totals are the domain's.
func TestOpenSalePricedAsTheDomain(t *testing.T) {
	e, q := start(t)
	id := uuid.New()
	evs := parked(id)
	md := eventstore.Metadata{UserID: "cashier-1"}
	for i, ev := range evs {
		e.Append("sale-"+id.String(), md, ev)
		e.Sync(sales.Name)
		checkPriced(t, q, id, evs[:i+1])
	}
	// Figures the domain's rules imply, so the comparison cannot pass on two empty results.
	tot, _, _ := evolve(evs).Priced()
	if tot.Discount.Amount <= 100 || tot.Tax.Amount == 0 || tot.Paid.Amount != 500 || tot.Due.Amount != tot.Total.Amount-500 ||
		tot.Total.Amount != tot.Subtotal.Amount-tot.Discount.Amount+tot.Tax.Amount {
		t.Fatalf("domain totals: %+v", tot)
	}

	voided := append(evs, sale.SaleVoided{SaleID: id, Reason: "customer left", VoidedAt: day.Add(time.Hour)})
	e.Append("sale-"+id.String(), md, voided[len(voided)-1])
	e.Sync(sales.Name)
	checkPriced(t, q, id, voided)
}

// TestOpenSalePricedInOneBatch folds the same sale in one batch and a second one opened in an
// earlier batch, and checks both are priced as the domain prices them.
func TestOpenSalePricedInOneBatch(t *testing.T) {
	e, q := start(t)
	md := eventstore.Metadata{UserID: "cashier-1"}
	whole, split := uuid.New(), uuid.New()
	wholeEvs, splitEvs := parked(whole), parked(split)
	e.Append("sale-"+split.String(), md, anys(splitEvs[:3])...)
	e.Sync(sales.Name)
	e.Append("sale-"+whole.String(), md, anys(wholeEvs)...)
	e.Append("sale-"+split.String(), md, anys(splitEvs[3:])...)
	e.Sync(sales.Name)
	checkPriced(t, q, whole, wholeEvs)
	checkPriced(t, q, split, splitEvs)
}

// evolve folds evs as the write side does.
func evolve(evs []sale.Event) sale.State {
	var st sale.State
	for _, ev := range evs {
		st = sale.Evolve(st, ev)
	}
	return st
}

func anys(evs []sale.Event) []any {
	out := make([]any, len(evs))
	for i, ev := range evs {
		out[i] = ev
	}
	return out
}

// TestBatchWithoutLoading covers sales opened earlier that a batch does not load: one it
// completes after changing it (the completion is the record: its lines replace the stored
// ones, a line removed in between goes) and one it only moves to checkout and voids (its
// figures stand as priced).
func TestBatchWithoutLoading(t *testing.T) {
	e, q := start(t)
	ctx := context.Background()
	md := eventstore.Metadata{UserID: "cashier-1"}
	done, stuck := uuid.New(), uuid.New()
	doneEvs, stuckEvs := parked(done), parked(stuck)
	e.Append("sale-"+done.String(), md, anys(doneEvs[:4])...) // opened, three lines
	e.Append("sale-"+stuck.String(), md, anys(stuckEvs)...)
	e.Sync(sales.Name)

	st := evolve(doneEvs)
	totals, priced, err := st.Priced()
	if err != nil {
		t.Fatal(err)
	}
	pay := sale.Payment{ID: uuid.New(), Tender: "cash", Amount: totals.Due}
	e.Append("sale-"+done.String(), md, append(anys(doneEvs[4:]),
		sale.PaymentAdded{SaleID: done, Payment: pay},
		sale.CheckoutStarted{SaleID: done, Totals: totals},
		sale.SaleCompleted{SaleID: done, StoreID: storeA, RegisterID: reg, ShiftID: shift, CashierID: "cashier-1", ReceiptNumber: 7,
			Lines: priced, Totals: totals, Payments: append(st.Payments, pay), CompletedAt: day.Add(time.Minute)})...)
	e.Append("sale-"+stuck.String(), md, sale.CheckoutStarted{SaleID: stuck},
		sale.SaleVoided{SaleID: stuck, Reason: "shift closed", VoidedAt: day.Add(time.Hour)})
	e.Sync(sales.Name)

	p, _ := q.List(ctx, sales.Filter{Status: "completed"}, readkit.Request{})
	if len(p.Items) != 1 || p.Items[0].ID != done || p.Items[0].Totals.Total != totals.Total || p.Items[0].LineCount != 2 {
		t.Fatalf("completed: %+v", p.Items)
	}
	lines, _ := q.Lines(ctx, done, nil, readkit.Request{})
	if len(lines.Items) != 2 || lines.Items[0].ID != priced[0].ID || lines.Items[1].ID != priced[1].ID ||
		lines.Items[1].Total != priced[1].Total || !lines.Items[0].Priced {
		t.Fatalf("completed lines: %+v, want %+v", lines.Items, priced)
	}
	checkPriced(t, q, stuck, append(stuckEvs, sale.SaleVoided{SaleID: stuck}))
	p, _ = q.List(ctx, sales.Filter{Status: "voided"}, readkit.Request{})
	if len(p.Items) != 1 || p.Items[0].VoidReason != "shift closed" || p.Items[0].VoidedAt == nil {
		t.Fatalf("voided: %+v", p.Items)
	}
}
