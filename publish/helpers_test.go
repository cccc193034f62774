package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/integration"
	"github.com/odata-pos/pos/internal/pgtest"
)

// The shared brokers of the machine (POS_TEST_NATS_URL, POS_TEST_AMQP_URL override them).
// Every test uses names with a random suffix and deletes what it created.
func natsURL() string { return envOr("POS_TEST_NATS_URL", "nats://127.0.0.1:4222") }
func amqpURL() string { return envOr("POS_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/") }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func suffix() string { return fmt.Sprintf("%d%06d", time.Now().UnixNano()%1e6, rand.IntN(1e6)) }

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

// received is one message as a consumer got it.
type received struct {
	// ID is the broker's message ID (Nats-Msg-Id, AMQP message-id); UUID the watermill UUID.
	ID, UUID string
	Body     []byte
	Env      integration.Envelope
}

// consumer collects the messages of one broker queue or stream.
type consumer struct {
	mu  sync.Mutex
	got []received
}

func (c *consumer) add(t testing.TB, id, wuuid string, body []byte) {
	var env integration.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Errorf("message %s is not an envelope: %v: %s", id, err, body)
	}
	c.mu.Lock()
	c.got = append(c.got, received{ID: id, UUID: wuuid, Body: body, Env: env})
	c.mu.Unlock()
}

func (c *consumer) messages() []received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]received(nil), c.got...)
}

// distinct counts the distinct event IDs received.
func (c *consumer) distinct() int {
	seen := map[string]bool{}
	for _, m := range c.messages() {
		seen[m.ID] = true
	}
	return len(seen)
}

// eventually polls cond until it holds or 60 s pass.
func eventually(t testing.TB, what func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// unavailable skips a test whose broker does not answer, except in CI (CI set), where
// scripts/dev-setup.sh has made the brokers answer and a silent skip would hide the loss tests.
func unavailable(t testing.TB, broker, url string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s does not answer at %s (scripts/dev-setup.sh starts it): %v", broker, url, err)
	}
	t.Skipf("%s does not answer at %s (start it, or set POS_TEST_NATS_URL / POS_TEST_AMQP_URL): %v", broker, url, err)
}

// natsStream creates a JetStream stream for prefix (as the publisher would) and an ordered
// consumer reading it from the start; both go away at cleanup.
func natsStream(t testing.TB, name, prefix string) *consumer {
	t.Helper()
	ctx := context.Background()
	nc, err := nats.Connect(natsURL())
	if err != nil {
		unavailable(t, "NATS", natsURL(), err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{prefix + ".>"}, Duplicates: 2 * time.Minute, Storage: jetstream.MemoryStorage})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = js.DeleteStream(context.Background(), name) })
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c := &consumer{}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		c.add(t, m.Headers().Get(nats.MsgIdHdr), m.Headers().Get("_watermill_message_uuid"), m.Data())
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cc.Stop)
	return c
}

// amqpQueue declares a topic exchange and a queue bound to every routing key under prefix,
// and consumes it; both are deleted at cleanup.
func amqpQueue(t testing.TB, exchange, prefix string) *consumer {
	t.Helper()
	conn, err := amqp.Dial(amqpURL())
	if err != nil {
		unavailable(t, "RabbitMQ", amqpURL(), err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	queue := exchange + ".q"
	if err := ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(queue, false, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(queue, prefix+".#", exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = ch.QueueDelete(queue, false, false, false)
		_ = ch.ExchangeDelete(exchange, false, false)
	})
	deliveries, err := ch.Consume(queue, "", true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &consumer{}
	go func() {
		for d := range deliveries {
			wuuid, _ := d.Headers["_watermill_message_uuid"].(string)
			c.add(t, d.MessageId, wuuid, d.Body)
		}
	}()
	return c
}

// proxy forwards a port of 18600-18699 to target. cut closes every proxied connection (as a
// broker restart would) and keeps accepting new ones.
type proxy struct {
	addr  string
	mu    sync.Mutex
	conns []net.Conn
	cuts  int
	// connections counts the connections accepted.
	connections int
}

// accepted is how many connections the proxy accepted.
func (p *proxy) accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.connections
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	var ln net.Listener
	var err error
	for port := 18600 + rand.IntN(50); port < 18700; port++ {
		if ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			break
		}
	}
	if ln == nil {
		t.Fatalf("no free port in 18600-18699: %v", err)
	}
	p := &proxy{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = ln.Close()
		p.cut()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.connections++
			p.mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(out, in); _ = out.Close() })
			wg.Go(func() { _, _ = io.Copy(in, out); _ = in.Close() })
		}
	})
	return p
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
	p.cuts++
}
