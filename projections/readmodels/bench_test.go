package readmodels_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	dcatalog "github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	dstock "github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readmodels"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/reports"

	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkRebuild folds a generated history of about POS_BENCH_EVENTS (default 300,000)
// events — 10 stores, 200 products, sales of three lines rung up on 20 shifts, each with its
// receipt number, cash on the shift and three stock movements — from an in-memory store into
// every operational read model from zero (POS_BENCH_REPORTS=1: and the report tables, every
// projection posd runs), and reports events/s of $all (every event counts once, whichever read
// models need it) from start until all of them have caught up.
//
//	go test -run '^$' -bench BenchmarkRebuild -benchtime 1x ./projections/readmodels/
//	POS_BENCH_REPORTS=1 POS_BENCH_EVENTS=1000000 go test -run '^$' -bench BenchmarkRebuild -benchtime 1x ./projections/readmodels/
func BenchmarkRebuild(b *testing.B) {
	n := 300_000
	if v, err := strconv.Atoi(os.Getenv("POS_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	codec := readtest.Codec()
	st, last, count := history(b, codec, n)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(b))
		if err != nil {
			b.Fatal(err)
		}
		ps := readmodels.All(codec)
		if os.Getenv("POS_BENCH_REPORTS") != "" {
			ps = append(ps, reports.All()...)
		}
		if only := os.Getenv("POS_BENCH_ONLY"); only != "" { // profile one read model
			ps = slices.DeleteFunc(ps, func(p projections.Projection) bool { return p.Name() != only })
		}
		b.StartTimer()
		t0 := time.Now()
		r := readtest.Start(b, pool, st, ps...)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		for _, p := range ps {
			if err := r.WaitFor(ctx, p.Name(), last); err != nil {
				b.Fatal(err)
			}
		}
		cancel()
		total += time.Since(t0)
		b.StopTimer()
		var sales int
		withSales := slices.ContainsFunc(ps, func(p projections.Projection) bool { return p.Name() == "sales" })
		if withSales && (pool.QueryRow(context.Background(), `SELECT count(*) FROM sales.sales WHERE status = 'completed'`).Scan(&sales) != nil || sales == 0) {
			b.Fatalf("no sales folded")
		}
		pool.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(count*b.N)/total.Seconds(), "events/s")
}

// history appends about n events and returns the store, the last position and the count.
func history(b testing.TB, codec *eventstore.Codec, n int) (*memstore.Store, eventstore.Position, int) {
	ctx := context.Background()
	s := memstore.New()
	count := 0
	var last eventstore.Position
	add := func(stream string, md eventstore.Metadata, evs ...any) {
		data := make([]eventstore.EventData, len(evs))
		for i, ev := range evs {
			name, body, err := codec.Encode(ev)
			if err != nil {
				b.Fatal(err)
			}
			data[i] = eventstore.EventData{ID: uuid.New(), Type: name, Data: body, Metadata: md}
		}
		res, err := s.Append(ctx, stream, eventstore.Any, data)
		if err != nil {
			b.Fatal(err)
		}
		last, count = res.Position, count+len(evs)
	}
	eur := func(a int64) money.Money { return money.New(a, "EUR") }
	day := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	md := eventstore.Metadata{UserID: "u1", OccurredAt: day}
	stores := make([]uuid.UUID, 10)
	for i := range stores {
		stores[i] = uuid.New()
		add("store-"+stores[i].String(), md, store.StoreCreated{StoreID: stores[i], Code: fmt.Sprint("S", i), Name: "Store", Currency: "EUR",
			Timezone: "UTC", Settings: store.DefaultSettings()})
	}
	products := make([]dcatalog.ProductCreated, 200)
	for i := range products {
		th := quantity.FromInt(3)
		products[i] = dcatalog.ProductCreated{ProductID: uuid.New(), SKU: fmt.Sprint("SKU-", i), Name: fmt.Sprint("Product ", i),
			Category: fmt.Sprint("cat-", i%10), Price: eur(int64(100 + i)), TaxCode: "STD", TrackStock: true, LowStockThreshold: &th}
		add("product-"+products[i].ProductID.String(), md, products[i])
	}
	type till struct{ store, reg, shift uuid.UUID }
	tills := make([]till, 20)
	for i := range tills {
		tills[i] = till{stores[i%len(stores)], uuid.New(), uuid.New()}
		t := tills[i]
		add("register-"+t.reg.String(), md, register.RegisterCreated{RegisterID: t.reg, StoreID: t.store, Code: "R", Name: "Till"},
			register.ShiftOpened{RegisterID: t.reg, ShiftID: t.shift})
		add("shift-"+t.shift.String(), md, shift.ShiftOpened{ShiftID: t.shift, StoreID: t.store, RegisterID: t.reg, CashierID: "u1",
			OpeningFloat: eur(10000), OpenedAt: day})
	}
	onHand := map[[2]uuid.UUID]int64{}
	for i := 0; count < n; i++ {
		t := tills[i%len(tills)]
		id := uuid.New()
		at := day.Add(time.Duration(i) * time.Second)
		smd := eventstore.Metadata{UserID: "u1", StoreID: t.store.String(), RegisterID: t.reg.String(), OccurredAt: at}
		var lines []sale.PricedLine
		evs := []any{sale.SaleOpened{SaleID: id, StoreID: t.store, RegisterID: t.reg, ShiftID: t.shift, CashierID: "u1", Currency: "EUR", OpenedAt: at}}
		var sum int64
		for j := range 3 {
			p := products[(i*3+j)%len(products)]
			l := sale.Line{ID: uuid.New(), ProductID: p.ProductID, SKU: p.SKU, Name: p.Name, Category: p.Category, Quantity: quantity.FromInt(1),
				UnitPrice: p.Price, ListPrice: p.Price, TaxCode: "STD", TaxRateBP: 2000, TrackStock: true}
			evs = append(evs, sale.LineAdded{SaleID: id, Line: l})
			lines = append(lines, sale.PricedLine{Line: l, Amount: p.Price, Net: p.Price, Tax: eur(p.Price.Amount / 5), Total: eur(p.Price.Amount * 6 / 5)})
			sum += p.Price.Amount * 6 / 5
		}
		totals := sale.Totals{Subtotal: eur(sum), Tax: eur(sum / 6), Total: eur(sum), Paid: eur(sum), CashPaid: eur(sum)}
		pay := sale.Payment{ID: uuid.New(), Tender: "cash", Amount: eur(sum)}
		evs = append(evs, sale.PaymentAdded{SaleID: id, Payment: pay}, sale.CheckoutStarted{SaleID: id, Totals: totals})
		add("sale-"+id.String(), smd, evs...)
		add("register-"+t.reg.String(), smd, register.ReceiptNumberReserved{RegisterID: t.reg, SaleID: id, Number: int64(i + 1)})
		add("shift-"+t.shift.String(), smd, shift.CashSaleRecorded{ShiftID: t.shift, SaleID: id, Amount: eur(sum)})
		for _, l := range lines {
			k := [2]uuid.UUID{t.store, l.ProductID}
			onHand[k] -= 1000
			add("stock-"+t.store.String()+"."+l.ProductID.String(), smd, dstock.StockMoved{LocationID: t.store, ProductID: l.ProductID,
				Kind: dstock.KindSale, MovementID: id.String(), Delta: quantity.FromInt(-1), OnHand: quantity.FromMilli(onHand[k]), At: at})
		}
		add("sale-"+id.String(), smd, sale.SaleCompleted{SaleID: id, StoreID: t.store, RegisterID: t.reg, ShiftID: t.shift, CashierID: "u1",
			ReceiptNumber: int64(i + 1), Lines: lines, Totals: totals, Payments: []sale.Payment{pay}, CashIn: eur(sum), CompletedAt: at})
	}
	return s, last, count
}
