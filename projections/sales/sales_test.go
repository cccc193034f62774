package sales_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/sales"
)

func start(t *testing.T) (*readtest.Env, *sales.Queries) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection { return []projections.Projection{sales.New(c)} })
	return e, sales.NewQueries(e.Pool)
}

var (
	storeA, storeB, reg, shift = uuid.New(), uuid.New(), uuid.New(), uuid.New()
	day                        = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
)

func eur(a int64) money.Money { return money.New(a, "EUR") }

// ring appends a complete sale of one line (qty × 100) in store at at and returns its ID.
func ring(e *readtest.Env, store uuid.UUID, at time.Time, receipt int64, qty int64) uuid.UUID {
	id, line, prod := uuid.New(), uuid.New(), uuid.New()
	md := eventstore.Metadata{UserID: "cashier-1", StoreID: store.String()}
	l := sale.Line{ID: line, ProductID: prod, SKU: "SKU", Name: "Thing", Quantity: quantity.FromInt(qty), UnitPrice: eur(100), TaxRateBP: 2000}
	total := eur(100 * qty)
	tax := eur(100 * qty / 6)
	totals := sale.Totals{Subtotal: total, Discount: eur(0), Tax: tax, Total: total, Paid: eur(100*qty + 50), Change: eur(50)}
	e.Append("sale-"+id.String(), md,
		sale.SaleOpened{SaleID: id, StoreID: store, RegisterID: reg, ShiftID: shift, CashierID: "cashier-1", Currency: "EUR", OpenedAt: at},
		sale.LineAdded{SaleID: id, Line: l},
		sale.PaymentAdded{SaleID: id, Payment: sale.Payment{ID: uuid.New(), Tender: "cash", Amount: eur(100*qty + 50)}},
		sale.CheckoutStarted{SaleID: id, Totals: totals},
		sale.SaleCompleted{SaleID: id, StoreID: store, RegisterID: reg, ShiftID: shift, CashierID: "cashier-1", ReceiptNumber: receipt,
			Lines:  []sale.PricedLine{{Line: l, Amount: total, Discount: eur(0), Net: total, Tax: tax, Total: total}},
			Totals: totals, CompletedAt: at.Add(time.Minute)})
	return id
}

func TestFoldSaleLifecycle(t *testing.T) {
	e, q := start(t)
	ctx := context.Background()
	id, l1, l2 := uuid.New(), uuid.New(), uuid.New()
	md := eventstore.Metadata{UserID: "cashier-9"}
	e.Append("sale-"+id.String(), md,
		sale.SaleOpened{SaleID: id, StoreID: storeA, RegisterID: reg, ShiftID: shift, Currency: "EUR", OpenedAt: day},
		sale.LineAdded{SaleID: id, Line: sale.Line{ID: l1, ProductID: uuid.New(), SKU: "A", Name: "Apples", Quantity: quantity.FromMilli(1500), UnitPrice: eur(199)}},
		sale.LineAdded{SaleID: id, Line: sale.Line{ID: l2, ProductID: uuid.New(), SKU: "B", Name: "Bread", Quantity: quantity.FromInt(1), UnitPrice: eur(250)}},
		sale.LineRemoved{SaleID: id, LineID: l2},
		sale.PaymentAdded{SaleID: id, Payment: sale.Payment{ID: uuid.New(), Tender: "card", Amount: eur(100)}})
	e.Sync(sales.Name)
	p, err := q.List(ctx, sales.Filter{}, readkit.Request{})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("list: %+v %v", p, err)
	}
	s := p.Items[0]
	if s.Status != "open" || s.CashierID != "cashier-9" || s.LineCount != 1 || s.Totals.Paid.Amount != 100 || s.ReceiptNumber != nil {
		t.Fatalf("open sale: %+v", s)
	}
	lines, err := q.Lines(ctx, id, nil, readkit.Request{})
	if err != nil || len(lines.Items) != 1 || lines.Items[0].Total.Amount != 299 || lines.Items[0].Priced || lines.Items[0].Quantity.String() != "1.5" {
		t.Fatalf("open lines: %+v %v", lines.Items, err)
	}
	e.Append("sale-"+id.String(), md, sale.SaleVoided{SaleID: id, Reason: "customer left", VoidedAt: day.Add(time.Hour)})
	done := ring(e, storeA, day.Add(2*time.Hour), 42, 3)
	e.Sync(sales.Name)

	p, _ = q.List(ctx, sales.Filter{Status: "voided"}, readkit.Request{})
	if len(p.Items) != 1 || p.Items[0].VoidReason != "customer left" || p.Items[0].VoidedAt == nil {
		t.Fatalf("voided: %+v", p.Items)
	}
	p, _ = q.List(ctx, sales.Filter{ReceiptNumber: new(int64(42))}, readkit.Request{})
	if len(p.Items) != 1 || p.Items[0].ID != done || p.Items[0].Status != "completed" || p.Items[0].Totals.Total.Amount != 300 ||
		p.Items[0].Totals.Change.Amount != 50 || !p.Items[0].OccurredAt.Equal(day.Add(2*time.Hour+time.Minute)) {
		t.Fatalf("completed: %+v", p.Items)
	}
	lines, _ = q.Lines(ctx, done, nil, readkit.Request{})
	if len(lines.Items) != 1 || !lines.Items[0].Priced || lines.Items[0].Tax.Amount != 50 {
		t.Fatalf("priced lines: %+v", lines.Items)
	}
	if other, _ := q.Lines(ctx, done, []uuid.UUID{storeB}, readkit.Request{}); len(other.Items) != 0 {
		t.Fatalf("lines out of scope: %+v", other.Items)
	}
}

func TestFiltersAndScope(t *testing.T) {
	e, q := start(t)
	ctx := context.Background()
	a1 := ring(e, storeA, day, 1, 1)
	a2 := ring(e, storeA, day.Add(24*time.Hour), 2, 2)
	b1 := ring(e, storeB, day.Add(time.Hour), 1, 5)
	e.Sync(sales.Name)
	ids := func(f sales.Filter, sort string) []uuid.UUID {
		t.Helper()
		p, err := q.List(ctx, f, readkit.Request{Sort: sort})
		if err != nil {
			t.Fatal(err)
		}
		var out []uuid.UUID
		for _, s := range p.Items {
			out = append(out, s.ID)
		}
		return out
	}
	cases := []struct {
		name string
		f    sales.Filter
		sort string
		want []uuid.UUID
	}{
		{"newest first", sales.Filter{}, "", []uuid.UUID{a2, b1, a1}},
		{"oldest first", sales.Filter{}, "occurred_at", []uuid.UUID{a1, b1, a2}},
		{"by total desc", sales.Filter{}, "-total", []uuid.UUID{b1, a2, a1}},
		{"store", sales.Filter{StoreID: storeA}, "", []uuid.UUID{a2, a1}},
		{"scope", sales.Filter{StoreIDs: []uuid.UUID{storeB}}, "", []uuid.UUID{b1}},
		{"scope and other store", sales.Filter{StoreIDs: []uuid.UUID{storeB}, StoreID: storeA}, "", nil},
		{"day", sales.Filter{From: day, To: day.Add(24 * time.Hour)}, "", []uuid.UUID{b1, a1}},
		// a1 and b1 both have receipt 1 (different registers): the tie is broken by ID.
		{"cashier", sales.Filter{CashierID: "cashier-1"}, "receipt_number", append(byID(a1, b1), a2)},
		{"nobody", sales.Filter{CashierID: "x"}, "", nil},
	}
	for _, c := range cases {
		got := ids(c.f, c.sort)
		if len(got) != len(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

// TestCursorStableUnderInserts pages through sales while new ones (older and newer) arrive
// between pages: every sale present at the start is seen exactly once.
func TestCursorStableUnderInserts(t *testing.T) {
	e, q := start(t)
	ctx := context.Background()
	want := map[uuid.UUID]bool{}
	for i := range 120 {
		want[ring(e, storeA, day.Add(time.Duration(i)*time.Minute), int64(i+1), 1)] = true
	}
	e.Sync(sales.Name)
	seen := map[uuid.UUID]int{}
	req := readkit.Request{Limit: 25}
	for page := 0; ; page++ {
		p, err := q.List(ctx, sales.Filter{}, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > 25 {
			t.Fatalf("page of %d", len(p.Items))
		}
		for _, s := range p.Items {
			seen[s.ID]++
		}
		if p.NextCursor == "" {
			break
		}
		req.Cursor = p.NextCursor
		ring(e, storeA, day.Add(-time.Duration(page+1)*time.Hour), 1000, 1) // older: still ahead of the cursor
		ring(e, storeA, day.Add(time.Duration(page+1)*48*time.Hour), 2000, 1)
		e.Sync(sales.Name)
	}
	for id := range want {
		if seen[id] != 1 {
			t.Fatalf("sale %s seen %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("sale %s seen %d times", id, n)
		}
	}
	if _, err := q.List(ctx, sales.Filter{}, readkit.Request{Cursor: req.Cursor, Sort: "total"}); err == nil {
		t.Fatal("cursor accepted with another sort")
	}
	if _, err := q.List(ctx, sales.Filter{}, readkit.Request{Cursor: "garbage!"}); err == nil {
		t.Fatal("garbage cursor accepted")
	}
	if _, err := q.List(ctx, sales.Filter{}, readkit.Request{Limit: 501}); err == nil {
		t.Fatal("limit 501 accepted")
	}
}

// TestFoldAcrossBatches completes a sale opened in an earlier batch (the statement-per-event
// path) and checks it ends as a sale rung up in one batch does.
func TestFoldAcrossBatches(t *testing.T) {
	e, q := start(t)
	ctx := context.Background()
	id, l1, l2 := uuid.New(), uuid.New(), uuid.New()
	md := eventstore.Metadata{UserID: "cashier-1"}
	e.Append("sale-"+id.String(), md, sale.SaleOpened{SaleID: id, StoreID: storeA, RegisterID: reg, ShiftID: shift, CashierID: "cashier-1",
		Currency: "EUR", OpenedAt: day})
	e.Sync(sales.Name)
	line := func(lid uuid.UUID) sale.Line {
		return sale.Line{ID: lid, ProductID: uuid.New(), SKU: "S", Name: "N", Quantity: quantity.FromInt(2), UnitPrice: eur(150)}
	}
	e.Append("sale-"+id.String(), md, sale.LineAdded{SaleID: id, Line: line(l1)}, sale.LineAdded{SaleID: id, Line: line(l2)})
	e.Sync(sales.Name)
	e.Append("sale-"+id.String(), md, sale.LineRemoved{SaleID: id, LineID: l2},
		sale.PaymentAdded{SaleID: id, Payment: sale.Payment{ID: uuid.New(), Tender: "card", Amount: eur(300)}})
	e.Sync(sales.Name)
	p, _ := q.List(ctx, sales.Filter{}, readkit.Request{})
	if s := p.Items[0]; s.LineCount != 1 || s.Totals.Paid.Amount != 300 || s.Status != "open" {
		t.Fatalf("open across batches: %+v", s)
	}
	totals := sale.Totals{Subtotal: eur(300), Tax: eur(50), Total: eur(300), Paid: eur(300)}
	e.Append("sale-"+id.String(), md, sale.CheckoutStarted{SaleID: id, Totals: totals})
	e.Sync(sales.Name)
	e.Append("sale-"+id.String(), md, sale.SaleCompleted{SaleID: id, StoreID: storeA, RegisterID: reg, ShiftID: shift, CashierID: "cashier-1",
		ReceiptNumber: 9, Totals: totals, CompletedAt: day.Add(time.Minute),
		Lines: []sale.PricedLine{{Line: line(l1), Amount: eur(300), Net: eur(300), Tax: eur(50), Total: eur(300)}}})
	e.Sync(sales.Name)
	p, _ = q.List(ctx, sales.Filter{}, readkit.Request{})
	if s := p.Items[0]; s.Status != "completed" || s.ReceiptNumber == nil || *s.ReceiptNumber != 9 || s.LineCount != 1 || s.Totals.Tax.Amount != 50 {
		t.Fatalf("completed across batches: %+v", s)
	}
	lines, _ := q.Lines(ctx, id, nil, readkit.Request{})
	if len(lines.Items) != 1 || lines.Items[0].ID != l1 || !lines.Items[0].Priced || lines.Items[0].Tax.Amount != 50 {
		t.Fatalf("lines across batches: %+v", lines.Items)
	}
}

// byID returns ids in ascending order, the order keyset pagination uses to break ties.
func byID(ids ...uuid.UUID) []uuid.UUID {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return ids
}
