package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/reports"
)

// yearVolume is how much one store sells in the seeded year; POS_BENCH_SALES_PER_DAY,
// POS_BENCH_DAYS and POS_BENCH_PRODUCTS override the realistic defaults.
type yearVolume struct {
	salesPerDay, days, products int
}

func yearVolumeFromEnv(b *testing.B) yearVolume {
	b.Helper()
	v := yearVolume{salesPerDay: 300, days: 365, products: 2000}
	for name, dst := range map[string]*int{"POS_BENCH_SALES_PER_DAY": &v.salesPerDay, "POS_BENCH_DAYS": &v.days, "POS_BENCH_PRODUCTS": &v.products} {
		s := os.Getenv(name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive integer", name, s)
		}
		*dst = n
	}
	return v
}

// yearStart is the first business day of the seeded year.
var yearStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	benchCurrency = "EUR"
	benchZone     = "Europe/Amsterdam"
)

// Shapes of the generated trade: sales per hour of the opening hours 08:00–20:59 and per
// weekday (Sunday first, mean 1), lines per sale (1–6, mean about 2.6) and tenders.
var (
	hourWeights    = []float64{0.5, 0.7, 0.9, 1.1, 1.5, 1.3, 0.9, 0.9, 1.1, 1.5, 1.4, 1.0, 0.6}
	weekdayFactors = []float64{0.8, 0.9, 0.9, 1.0, 1.0, 1.15, 1.25}
	lineWeights    = []float64{0.3, 0.25, 0.18, 0.12, 0.08, 0.07}
	tenders        = []string{sale.TenderCard, sale.TenderCash, sale.TenderGiftCard, sale.TenderStoreCredit}
	tenderWeights  = []float64{0.6, 0.32, 0.06, 0.02}
	returnReasons  = []string{"damaged", "changed_mind", "wrong_size"}
)

type benchProduct struct {
	id             uuid.UUID
	sku, name, cat string
	price, rateBP  int64
	taxCode        string
}

// yearGen generates the events of one store's year: the trade is the same on every run (a
// seeded math/rand), the IDs are random.
type yearGen struct {
	vol       yearVolume
	r         *rand.Rand
	zipf      *rand.Zipf
	storeID   uuid.UUID
	loc       *time.Location
	registers [2]uuid.UUID
	products  []benchProduct
	receipt   int64
	sales     int
	returns   int
	// later holds returns by the day index they happen on.
	later map[int][]appendJob
}

// appendJob is one Append: a new stream and its events.
type appendJob struct {
	stream string
	events []eventstore.EventData
}

func newYearGen(b *testing.B, vol yearVolume) *yearGen {
	loc, err := time.LoadLocation(benchZone)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewSource(2025))
	g := &yearGen{vol: vol, r: r, zipf: rand.NewZipf(r, 1.1, 20, uint64(vol.products-1)), storeID: uuid.New(), loc: loc,
		registers: [2]uuid.UUID{uuid.New(), uuid.New()}, later: map[int][]appendJob{}}
	for i := range vol.products {
		p := benchProduct{id: uuid.New(), sku: fmt.Sprintf("SKU-%05d", i), name: fmt.Sprintf("Product %d", i),
			cat: fmt.Sprintf("category-%02d", i%24), price: 99 + int64(r.ExpFloat64()*600), rateBP: 2100, taxCode: "STD"}
		if i%24 < 10 { // food
			p.rateBP, p.taxCode = 900, "LOW"
		}
		g.products = append(g.products, p)
	}
	return g
}

func pick(r *rand.Rand, weights []float64) int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func eur(a int64) money.Money { return money.New(a, benchCurrency) }

// inclusiveTax is the tax inside a tax-inclusive amount, rounded half up.
func inclusiveTax(amount, rateBP int64) int64 {
	return (amount*rateBP*2 + 10000 + rateBP) / (2 * (10000 + rateBP))
}

func event(b *testing.B, typ string, v any, at time.Time, user string) eventstore.EventData {
	data, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return eventstore.EventData{ID: uuid.New(), Type: typ, Data: data, Metadata: eventstore.Metadata{OccurredAt: at, UserID: user}}
}

// masterData is the store and its catalog.
func (g *yearGen) masterData(b *testing.B) []appendJob {
	at := yearStart.AddDate(0, 0, -30)
	jobs := []appendJob{{commands.StoreStream(g.storeID), []eventstore.EventData{event(b, store.TypeStoreCreated,
		store.StoreCreated{StoreID: g.storeID, Code: "BENCH", Name: "Bench store", Currency: benchCurrency, Timezone: benchZone}, at, "admin")}}}
	for _, p := range g.products {
		c := eur(p.price * 6000 / (10000 + p.rateBP)) // a 40 % margin on the net price
		jobs = append(jobs, appendJob{commands.ProductStream(p.id), []eventstore.EventData{event(b, catalog.TypeProductCreated,
			catalog.ProductCreated{ProductID: p.id, SKU: p.sku, Barcodes: []string{}, Name: p.name, Category: p.cat, Price: eur(p.price),
				Cost: &c, TaxCode: p.taxCode, CreatedAt: at}, at, "admin")}})
	}
	return jobs
}

// day returns the sales of day index d (and the returns that fall on it).
func (g *yearGen) day(b *testing.B, d int) []appendJob {
	date := yearStart.AddDate(0, 0, d)
	n := int(float64(g.vol.salesPerDay)*weekdayFactors[date.Weekday()]*(0.9+0.2*g.r.Float64()) + 0.5)
	jobs := g.later[d]
	delete(g.later, d)
	for range n {
		h := 8 + pick(g.r, hourWeights)
		at := time.Date(date.Year(), date.Month(), date.Day(), h, g.r.Intn(60), g.r.Intn(60), 0, g.loc)
		reg := g.r.Intn(len(g.registers))
		cashier := fmt.Sprintf("user-cashier-%d", (d+reg+2*(h/14))%5+1) // two registers, early and late shifts
		s := g.sale(at, reg, cashier)
		jobs = append(jobs, appendJob{commands.SaleStream(s.SaleID), []eventstore.EventData{event(b, sale.TypeSaleCompleted, s, at, cashier)}})
		if g.r.Float64() < 0.01 {
			if rd := d + 1 + g.r.Intn(10); rd < g.vol.days {
				g.later[rd] = append(g.later[rd], g.giveBack(b, s, rd, cashier))
			}
		}
	}
	return jobs
}

func (g *yearGen) sale(at time.Time, reg int, cashier string) sale.SaleCompleted {
	g.receipt++
	g.sales++
	s := sale.SaleCompleted{SaleID: uuid.New(), StoreID: g.storeID, RegisterID: g.registers[reg], CashierID: cashier,
		ReceiptNumber: g.receipt, PricesIncludeTax: true, CompletedAt: at}
	var sub, disc, tax, total int64
	for range 1 + pick(g.r, lineWeights) {
		p := g.products[g.zipf.Uint64()]
		qty := int64(1 + pick(g.r, []float64{0.8, 0.15, 0.05}))
		amount, d := p.price*qty, int64(0)
		if g.r.Float64() < 0.05 {
			d = amount / 10
		}
		t := inclusiveTax(amount-d, p.rateBP)
		s.Lines = append(s.Lines, sale.PricedLine{Line: sale.Line{ID: uuid.New(), ProductID: p.id, SKU: p.sku, Name: p.name, Category: p.cat,
			Quantity: quantity.FromInt(qty), UnitPrice: eur(p.price), ListPrice: eur(p.price), TaxCode: p.taxCode, TaxRateBP: p.rateBP},
			Amount: eur(amount), LineDiscount: eur(d), SaleDiscount: eur(0), Discount: eur(d), Net: eur(amount - d), Tax: eur(t), Total: eur(amount - d)})
		sub, disc, tax, total = sub+amount, disc+d, tax+t, total+amount-d
	}
	s.Totals = sale.Totals{Subtotal: eur(sub), Discount: eur(disc), Tax: eur(tax), Total: eur(total), Paid: eur(total),
		Change: eur(0), Due: eur(0), CashPaid: eur(0), NonCashPaid: eur(total)}
	s.CashIn = eur(0)
	switch tender := tenders[pick(g.r, tenderWeights)]; {
	case tender == sale.TenderCash:
		paid := total
		if g.r.Intn(2) == 0 {
			paid = (total + 499) / 500 * 500
		}
		s.Payments = []sale.Payment{{ID: uuid.New(), Tender: tender, Amount: eur(paid)}}
		s.Totals.Paid, s.Totals.Change, s.Totals.CashPaid, s.Totals.NonCashPaid = eur(paid), eur(paid-total), eur(paid), eur(0)
		s.CashIn = eur(total)
	case tender == sale.TenderGiftCard && total > 2000: // the gift card runs out; the card pays the rest
		s.Payments = []sale.Payment{{ID: uuid.New(), Tender: tender, Amount: eur(2000)},
			{ID: uuid.New(), Tender: sale.TenderCard, Amount: eur(total - 2000)}}
	default:
		s.Payments = []sale.Payment{{ID: uuid.New(), Tender: tender, Amount: eur(total)}}
	}
	return s
}

// giveBack returns one unit of the sale's first line on day index d, refunded to the card
// (or in cash when the sale was paid in cash).
func (g *yearGen) giveBack(b *testing.B, s sale.SaleCompleted, d int, cashier string) appendJob {
	g.returns++
	date := yearStart.AddDate(0, 0, d)
	at := time.Date(date.Year(), date.Month(), date.Day(), 9+g.r.Intn(11), g.r.Intn(60), 0, 0, g.loc)
	l := s.Lines[0]
	refund := l.Total.Amount / (int64(l.Quantity) / quantity.Scale)
	tax := inclusiveTax(refund, l.TaxRateBP)
	reason := returnReasons[g.r.Intn(len(returnReasons))]
	tender := sale.TenderCard
	cashOut := eur(0)
	if s.Payments[0].Tender == sale.TenderCash {
		tender, cashOut = sale.TenderCash, eur(refund)
	}
	id := uuid.New()
	rr := returns.ReturnRecorded{ReturnID: id, SaleID: s.SaleID, StoreID: s.StoreID, RegisterID: s.RegisterID, PricesIncludeTax: true,
		Lines: []returns.ReturnedLine{{SaleLineID: l.ID, ProductID: l.ProductID, SKU: l.SKU, Category: l.Category, Quantity: quantity.FromInt(1),
			UnitPrice: l.UnitPrice, TaxRateBP: l.TaxRateBP, Restock: reason != "damaged", Reason: reason, Net: eur(refund), Tax: eur(tax), Refund: eur(refund)}},
		Refunds: []returns.Refund{{ID: uuid.New(), Tender: tender, Amount: eur(refund)}},
		Net:     eur(refund), Tax: eur(tax), Total: eur(refund), CashOut: cashOut, ReturnedAt: at}
	return appendJob{commands.ReturnStream(id), []eventstore.EventData{event(b, returns.TypeReturnRecorded, rr, at, cashier)}}
}

// appendAll appends the jobs from workers goroutines (the store commits concurrent appends
// together, as it does for many registers).
func appendAll(ctx context.Context, es eventstore.Store, jobs []appendJob, workers int) error {
	ch := make(chan appendJob)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range workers {
		wg.Go(func() {
			for j := range ch {
				if _, err := es.Append(ctx, j.stream, eventstore.NoStream, j.events); err != nil {
					once.Do(func() { first = fmt.Errorf("append %s: %w", j.stream, err); cancel() })
				}
			}
		})
	}
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
		}
	}
	close(ch)
	wg.Wait()
	return first
}

// seedYear appends a year of one store's trade to the event store of env, lets the report
// projection fold it, stops the projection and analyzes the tables. It returns the store.
func seedYear(b *testing.B, env *apitest.Env, vol yearVolume) uuid.UUID {
	b.Helper()
	ctx := context.Background()
	g := newYearGen(b, vol)
	t0 := time.Now()
	if err := appendAll(ctx, env.Store, g.masterData(b), 16); err != nil {
		b.Fatal(err)
	}
	for d := range vol.days {
		if err := appendAll(ctx, env.Store, g.day(b, d), 16); err != nil {
			b.Fatal(err)
		}
	}
	head, err := env.Store.HeadPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	appended := time.Since(t0)

	t1 := time.Now()
	r, err := projections.New(projections.Config{Pool: env.DB, Store: env.Store, Projections: reports.All(), Registerer: prometheus.NewRegistry(),
		BatchSize: 1000, BatchWait: 10 * time.Millisecond, IdleInterval: 20 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Minute)
	err = r.WaitFor(wctx, reports.Name, head)
	wcancel()
	stop()
	if rerr := <-done; rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		b.Fatalf("fold the seeded year: %v", err)
	}
	folded := time.Since(t1)
	if _, err := env.DB.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var rows int64
	if err := env.DB.QueryRow(ctx, `SELECT count(*) FROM reports.sales_by_product`).Scan(&rows); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d sales and %d returns over %d days, %d products (%d events): appended in %s, folded in %s; sales_by_product has %d rows",
		g.sales, g.returns, vol.days, vol.products, head, appended.Round(time.Millisecond), folded.Round(time.Millisecond), rows)
	return g.storeID
}
