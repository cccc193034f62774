package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/internal/poll"
)

// testLog is a logger that writes to the test log only when -v shows it.
func testLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// database is a fresh database with the PostgreSQL event store in it, and a small pool.
type database struct {
	url   string
	store *pgstore.Store
	pool  *pgxpool.Pool
}

func newDatabase(t testing.TB) *database {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	store, err := pgstore.Open(ctx, url, pgstore.Options{Logger: slog.New(slog.DiscardHandler), MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	pool, err := pgxpool.New(ctx, url+"&pool_max_conns=4")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &database{url: url, store: store, pool: pool}
}

// appended is what the test appended: every published event, in $all order.
type appended struct {
	mu     sync.Mutex
	events []eventstore.RecordedEvent
}

func (a *appended) all() []eventstore.RecordedEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]eventstore.RecordedEvent(nil), a.events...)
}

// writer appends stock movements to a few streams, interleaved, with a sale line (never
// published) now and then.
type writer struct {
	store   eventstore.Store
	streams []string
	sale    string
	n       int
	out     *appended
}

func newWriter(store eventstore.Store, streams int) *writer {
	w := &writer{store: store, sale: "sale-" + uuid.NewString(), out: &appended{}}
	for range streams {
		w.streams = append(w.streams, "stock-"+uuid.NewString())
	}
	return w
}

// appendN appends n published events (and an unpublished one every fourth).
func (w *writer) appendN(t testing.TB, n int) {
	t.Helper()
	ctx := context.Background()
	for range n {
		w.n++
		if w.n%4 == 0 {
			data, _ := json.Marshal(sale.LineAdded{SaleID: uuid.New()})
			if _, err := w.store.Append(ctx, w.sale, eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: sale.TypeLineAdded, Data: data}}); err != nil {
				t.Error(err)
				return
			}
		}
		stream := w.streams[w.n%len(w.streams)]
		loc := uuid.MustParse(strings.TrimPrefix(stream, "stock-"))
		data, _ := json.Marshal(stock.StockMoved{LocationID: loc, ProductID: uuid.New(), Kind: stock.KindReceipt,
			MovementID: fmt.Sprint(w.n), Delta: quantity.Quantity(1000), OnHand: quantity.Quantity(1000 * w.n),
			At: time.Now().UTC()})
		id := uuid.New()
		res, err := w.store.Append(ctx, stream, eventstore.Any, []eventstore.EventData{{ID: id, Type: stock.TypeStockMoved, Data: data,
			Metadata: eventstore.Metadata{CorrelationID: "corr-" + fmt.Sprint(w.n), CausationID: "cause-" + fmt.Sprint(w.n),
				StoreID: loc.String(), OccurredAt: time.Now().Add(-time.Minute).UTC()}}})
		if err != nil {
			t.Error(err)
			return
		}
		w.out.mu.Lock()
		w.out.events = append(w.out.events, eventstore.RecordedEvent{ID: id, Type: stock.TypeStockMoved, Stream: stream,
			Revision: res.Revision, Position: res.Position})
		w.out.mu.Unlock()
	}
}

// appendSale appends a completed sale (published) and returns its event ID.
func (w *writer) appendSale(t testing.TB) uuid.UUID {
	t.Helper()
	eur := func(a int64) money.Money { return money.Money{Amount: a, Currency: "EUR"} }
	store := uuid.New()
	ev := sale.SaleCompleted{SaleID: uuid.New(), StoreID: store, RegisterID: uuid.New(), ShiftID: uuid.New(), CashierID: "u1",
		ReceiptNumber: 7, Lines: []sale.PricedLine{{Line: sale.Line{ID: uuid.New(), ProductID: uuid.New(), SKU: "SKU-1", Name: "Tea",
			Quantity: quantity.Quantity(2000), UnitPrice: eur(250), ListPrice: eur(250), TaxRateBP: 2100},
			Amount: eur(500), Net: eur(500), Tax: eur(87), Total: eur(500)}},
		Totals:   sale.Totals{Subtotal: eur(500), Tax: eur(87), Total: eur(500), Paid: eur(1000), Change: eur(500), Due: eur(0)},
		Payments: []sale.Payment{{ID: uuid.New(), Tender: "cash", Amount: eur(1000)}}, CashIn: eur(500),
		PricesIncludeTax: true, CompletedAt: time.Now().UTC()}
	data, _ := json.Marshal(ev)
	id := uuid.New()
	stream := "sale-" + ev.SaleID.String()
	res, err := w.store.Append(context.Background(), stream, eventstore.Any, []eventstore.EventData{{ID: id, Type: sale.TypeSaleCompleted, Data: data,
		Metadata: eventstore.Metadata{CorrelationID: "corr-sale", StoreID: store.String(), OccurredAt: time.Now().UTC()}}})
	if err != nil {
		t.Fatal(err)
	}
	w.out.mu.Lock()
	w.out.events = append(w.out.events, eventstore.RecordedEvent{ID: id, Type: sale.TypeSaleCompleted, Stream: stream, Revision: res.Revision, Position: res.Position})
	w.out.mu.Unlock()
	return id
}

// eventually polls cond until it holds or 60 s pass.
func eventually(t testing.TB, what func() string, cond func() bool) {
	t.Helper()
	poll.Eventually(t, 60*time.Second, cond, what)
}
