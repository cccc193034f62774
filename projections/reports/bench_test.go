package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/reports"
)

// benchEvents generates n report events into a memstore: 20 stores, 500 products with
// receipts, then sales of 1–4 lines (two thirds), each followed by the policy's stock
// movements, and a return every 50 sales. Times spread over a year.
func benchEvents(b *testing.B, n int) (eventstore.Store, eventstore.Position) {
	b.Helper()
	s := memstore.New()
	ctx := context.Background()
	var last eventstore.Position
	emit := func(stream string, typ string, v any, at time.Time) {
		data, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		res, err := s.Append(ctx, stream, eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: typ, Data: data,
			Metadata: eventstore.Metadata{OccurredAt: at, UserID: fmt.Sprintf("cashier-%d", int(at.Unix())%7)}}})
		if err != nil {
			b.Fatal(err)
		}
		last = res.Position
	}
	eur := func(a int64) money.Money { return money.New(a, "EUR") }
	t0 := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	zones := []string{"Europe/Amsterdam", "America/New_York", "Asia/Tokyo", "UTC"}
	stores := make([]uuid.UUID, 20)
	for i := range stores {
		stores[i] = uuid.New()
		emit("store-"+stores[i].String(), store.TypeStoreCreated, store.StoreCreated{StoreID: stores[i], Code: strconv.Itoa(i),
			Name: "S", Currency: "EUR", Timezone: zones[i%len(zones)]}, t0)
	}
	products := make([]uuid.UUID, 500)
	onHand := map[[2]int]quantity.Quantity{}
	for i := range products {
		products[i] = uuid.New()
		c := eur(int64(50 + i))
		emit("product-"+products[i].String(), catalog.TypeProductCreated, catalog.ProductCreated{ProductID: products[i],
			SKU: strconv.Itoa(i), Name: "P", Category: fmt.Sprintf("cat-%d", i%12), Price: eur(int64(100 + 2*i)), Cost: &c, TrackStock: true}, t0)
	}
	for i := 0; last < eventstore.Position(n); i++ {
		at := t0.Add(time.Duration(i) * 97 * time.Second)
		st, p := i%len(stores), (i*7)%len(products)
		switch {
		case i%3 == 2:
			k := [2]int{st, p}
			onHand[k] += quantity.FromInt(10)
			u := eur(int64(40 + i%30))
			emit("stock-x", stock.TypeStockMoved, stock.StockMoved{LocationID: stores[st], ProductID: products[p], Kind: stock.KindReceipt,
				Delta: quantity.FromInt(10), OnHand: onHand[k], UnitCost: &u, At: at}, at)
		case i%50 == 1:
			emit("return-x", returns.TypeReturnRecorded, returns.ReturnRecorded{ReturnID: uuid.New(), StoreID: stores[st],
				Lines: []returns.ReturnedLine{{ProductID: products[p], Quantity: quantity.FromInt(1), Restock: true, Reason: "damaged",
					Net: eur(100), Tax: eur(17), Refund: eur(100)}},
				Refunds: []returns.Refund{{Tender: "card", Amount: eur(100)}}, Total: eur(100)}, at)
		default:
			var lines []sale.PricedLine
			var total int64
			for l := range 1 + i%4 {
				pid := (p + l*13) % len(products)
				amt := int64(100 + 2*pid)
				lines = append(lines, sale.PricedLine{Line: sale.Line{ProductID: products[pid], Quantity: quantity.FromInt(1), Category: fmt.Sprintf("cat-%d", pid%12)},
					Amount: eur(amt), Discount: eur(0), Net: eur(amt), Tax: eur(amt * 21 / 121), Total: eur(amt)})
				total += amt
			}
			tender := []string{"cash", "card", "card", "gift_card"}[i%4]
			emit("sale-x", sale.TypeSaleCompleted, sale.SaleCompleted{SaleID: uuid.New(), StoreID: stores[st], CashierID: fmt.Sprintf("c%d", i%9),
				Lines: lines, Totals: sale.Totals{Total: eur(total), Paid: eur(total)},
				Payments: []sale.Payment{{Tender: tender, Amount: eur(total)}}, CompletedAt: at}, at)
			for _, l := range lines {
				k := [2]int{st, p}
				onHand[k] -= l.Quantity
				emit("stock-x", stock.TypeStockMoved, stock.StockMoved{LocationID: stores[st], ProductID: l.ProductID, Kind: stock.KindSale,
					Delta: -l.Quantity, OnHand: onHand[k], At: at}, at)
			}
		}
	}
	return s, last
}

// BenchmarkRebuild folds POS_BENCH_EVENTS (default 300,000) generated sales, returns, stock
// and master-data events from memstore into a fresh database through the report projection
// (batches of 500 events) and reports events/s from start to caught up.
//
//	go test -run '^$' -bench BenchmarkRebuild -benchtime 1x ./projections/reports/
func BenchmarkRebuild(b *testing.B) {
	n := 300_000
	if v, err := strconv.Atoi(os.Getenv("POS_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	es, last := benchEvents(b, n)
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(b))
		if err != nil {
			b.Fatal(err)
		}
		r, err := projections.New(projections.Config{Pool: pool, Store: es, Projections: reports.All(), Registerer: prometheus.NewRegistry(),
			BatchSize: 500, BatchWait: 50 * time.Millisecond, IdleInterval: 20 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		b.StartTimer()
		t0 := time.Now()
		go func() { done <- r.Run(ctx) }()
		wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Minute)
		if err := r.WaitFor(wctx, reports.Name, last); err != nil {
			b.Fatal(err)
		}
		wcancel()
		total += time.Since(t0)
		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatalf("runner: %v", err)
		}
		var sales int64
		if err := pool.QueryRow(context.Background(), `SELECT sum(transactions) FROM reports.sales_daily`).Scan(&sales); err != nil || sales == 0 {
			b.Fatalf("no sales folded: %d %v", sales, err)
		}
		pool.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(uint64(last)*uint64(b.N))/total.Seconds(), "events/s")
}
