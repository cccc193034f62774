// Package publishtest holds what the publisher's tests share (package publish and the
// end-to-end tests): consumers of the machine's real NATS JetStream and RabbitMQ with names of
// their own, the check that every published event arrived, and a TCP proxy that cuts
// connections. For tests only.
package publishtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/integration"
	"github.com/odata-pos/pos/internal/tcpproxy"
)

// The shared brokers of the machine (POS_TEST_NATS_URL, POS_TEST_AMQP_URL override them).
// Every test uses names with a random suffix and deletes what it created.
func NATSURL() string { return envOr("POS_TEST_NATS_URL", "nats://127.0.0.1:4222") }
func AMQPURL() string { return envOr("POS_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/") }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func Suffix() string { return fmt.Sprintf("%d%06d", time.Now().UnixNano()%1e6, rand.IntN(1e6)) }

// Broker is a target under test: its URL and the consumer that sees what reaches it.
type Broker struct {
	// Name is the broker's target name.
	Name string
	// setup creates the stream or queue (with a random name) and returns the target URL
	// (through addr when not empty: a proxy) and its consumer.
	Setup func(t testing.TB, addr string) (string, *Consumer)
	// Refusing is Setup for a stream or queue that holds at most limit messages and refuses a
	// publish while full (JetStream: an error reply; RabbitMQ: a negative publisher confirm),
	// with a consumer that makes room slowly, one message at a time.
	Refusing func(t testing.TB, limit int) (string, *Consumer)
}

var Brokers = []Broker{
	{Name: "nats",
		Setup:    func(t testing.TB, addr string) (string, *Consumer) { return natsTarget(t, addr, 0) },
		Refusing: func(t testing.TB, limit int) (string, *Consumer) { return natsTarget(t, "", limit) }},
	{Name: "rabbitmq",
		Setup:    func(t testing.TB, addr string) (string, *Consumer) { return amqpTarget(t, addr, 0) },
		Refusing: func(t testing.TB, limit int) (string, *Consumer) { return amqpTarget(t, "", limit) }},
}

func natsTarget(t testing.TB, addr string, limit int) (string, *Consumer) {
	sfx := Suffix()
	prefix, stream := "pt"+sfx, "PT_"+sfx
	c := natsStream(t, stream, prefix, limit)
	base := NATSURL()
	if addr != "" {
		base = "nats://" + addr
	}
	return fmt.Sprintf("%s?name=nats&stream=%s&prefix=%s", base, stream, prefix), c
}

func amqpTarget(t testing.TB, addr string, limit int) (string, *Consumer) {
	sfx := Suffix()
	prefix, exchange := "pt"+sfx, "pt.x"+sfx
	c := amqpQueue(t, exchange, prefix, limit)
	base := AMQPURL()
	if addr != "" {
		base = "amqp://guest:guest@" + addr + "/"
	}
	return fmt.Sprintf("%s?name=rabbitmq&exchange=%s&prefix=%s", base, exchange, prefix), c
}

// Received is one message as a consumer got it.
type Received struct {
	// ID is the broker's message ID (Nats-Msg-Id, AMQP message-id); UUID the watermill UUID.
	ID, UUID string
	Body     []byte
	Env      integration.Envelope
}

// Consumer collects the messages of one broker queue or stream.
type Consumer struct {
	mu  sync.Mutex
	got []Received
}

func (c *Consumer) add(t testing.TB, id, wuuid string, body []byte) {
	var env integration.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Errorf("message %s is not an envelope: %v: %s", id, err, body)
	}
	c.mu.Lock()
	c.got = append(c.got, Received{ID: id, UUID: wuuid, Body: body, Env: env})
	c.mu.Unlock()
}

func (c *Consumer) Messages() []Received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Received(nil), c.got...)
}

// Distinct counts the distinct event IDs received.
func (c *Consumer) Distinct() int {
	seen := map[string]bool{}
	for _, m := range c.Messages() {
		seen[m.ID] = true
	}
	return len(seen)
}

// Unavailable skips a test whose broker does not answer, except in CI (CI set), where
// scripts/dev-setup.sh has made the brokers answer and a silent skip would hide the loss tests.
func Unavailable(t testing.TB, broker, url string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s does not answer at %s (scripts/dev-setup.sh starts it): %v", broker, url, err)
	}
	t.Skipf("%s does not answer at %s (start it, or set POS_TEST_NATS_URL / POS_TEST_AMQP_URL): %v", broker, url, err)
}

// NATSStream creates a JetStream stream for prefix (as the publisher would) and an ordered
// consumer reading it from the start; both go away at cleanup.
func NATSStream(t testing.TB, name, prefix string) *Consumer { return natsStream(t, name, prefix, 0) }

// natsStream is NATSStream; with limit > 0 the stream is a work queue that refuses a publish
// while it holds limit messages, and a consumer that fetches and acknowledges one message at a
// time (which removes it) makes room now and then.
func natsStream(t testing.TB, name, prefix string, limit int) *Consumer {
	t.Helper()
	ctx := context.Background()
	nc, err := nats.Connect(NATSURL())
	if err != nil {
		Unavailable(t, "NATS", NATSURL(), err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := jetstream.StreamConfig{Name: name, Subjects: []string{prefix + ".>"}, Duplicates: 2 * time.Minute, Storage: jetstream.MemoryStorage}
	if limit > 0 {
		cfg.Retention, cfg.Discard, cfg.MaxMsgs = jetstream.WorkQueuePolicy, jetstream.DiscardNew, int64(limit)
	}
	st, err := js.CreateStream(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = js.DeleteStream(context.Background(), name) })
	c := &Consumer{}
	if limit > 0 {
		refusingConsumer(t, st, c)
		return c
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		c.add(t, m.Headers().Get(nats.MsgIdHdr), m.Headers().Get("_watermill_message_uuid"), m.Data())
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cc.Stop)
	return c
}

// refusingConsumer makes room in the work queue st slowly: it fetches one message at a time,
// each with a pull request of its own that ends within a second, and acknowledges it (which
// removes it). It does not use Consume with PullMaxMessages(1): on a loaded machine that lost
// its pull request now and then (the server showed no waiting request while the queue was
// full), noticed it only after two missed heartbeats (30 s), and by then the server had
// deleted the idle ephemeral consumer (5 s), so the queue stayed full and the test timed out.
// The consumer also outlives idle spells (InactiveThreshold), and a lost acknowledgement is
// redelivered within seconds (AckWait).
func refusingConsumer(t testing.TB, st jetstream.Stream, c *Consumer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cons, err := st.CreateConsumer(ctx, jetstream.ConsumerConfig{AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: 2 * time.Second, InactiveThreshold: 10 * time.Minute})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
			if err != nil {
				continue
			}
			for m := range batch.Messages() {
				c.add(t, m.Headers().Get(nats.MsgIdHdr), m.Headers().Get("_watermill_message_uuid"), m.Data())
				_ = m.DoubleAck(ctx)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// AMQPQueue declares a topic exchange and a queue bound to every routing key under prefix,
// and consumes it; both are deleted at cleanup.
func AMQPQueue(t testing.TB, exchange, prefix string) *Consumer {
	return amqpQueue(t, exchange, prefix, 0)
}

// amqpQueue is AMQPQueue; with limit > 0 the queue refuses a publish (a negative confirm) while
// it holds limit messages, and the consumer takes and acknowledges one message at a time.
func amqpQueue(t testing.TB, exchange, prefix string, limit int) *Consumer {
	t.Helper()
	conn, err := amqp.Dial(AMQPURL())
	if err != nil {
		Unavailable(t, "RabbitMQ", AMQPURL(), err)
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
	var args amqp.Table
	if limit > 0 {
		args = amqp.Table{"x-max-length": int32(limit), "x-overflow": "reject-publish"}
		if err := ch.Qos(1, 0, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ch.QueueDeclare(queue, false, false, false, false, args); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(queue, prefix+".#", exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = ch.QueueDelete(queue, false, false, false)
		_ = ch.ExchangeDelete(exchange, false, false)
	})
	deliveries, err := ch.Consume(queue, "", limit == 0, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Consumer{}
	go func() {
		for d := range deliveries {
			wuuid, _ := d.Headers["_watermill_message_uuid"].(string)
			c.add(t, d.MessageId, wuuid, d.Body)
			if limit > 0 {
				_ = d.Ack(false)
			}
		}
	}()
	return c
}

// Proxy forwards a port of 18600-18699 to a broker; its Cut closes every proxied connection
// (as a broker restart would) and keeps accepting new ones.
type Proxy = tcpproxy.Proxy

// NewProxy starts a Proxy to target on a free port of 18600-18699, stopped at the end of t.
func NewProxy(t testing.TB, target string) *Proxy {
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
	return tcpproxy.Start(t, ln, target)
}

// CheckDelivery: every appended event arrived (none lost, nothing else arrived), each message
// carries its event ID as message ID, watermill UUID and envelope ID, a duplicate is the same
// message again, and each stream's events arrived in revision order (counting each event at
// its first delivery).
func CheckDelivery(t testing.TB, want []eventstore.RecordedEvent, got []Received) {
	t.Helper()
	byID := map[string]eventstore.RecordedEvent{}
	for _, e := range want {
		byID[e.ID.String()] = e
	}
	first := map[string]Received{}
	next := map[string]uint64{} // per stream: the lowest revision still allowed
	for _, m := range got {
		if m.ID != m.Env.ID || m.UUID != m.Env.ID {
			t.Fatalf("message ID %q, watermill UUID %q, envelope ID %q differ", m.ID, m.UUID, m.Env.ID)
		}
		e, ok := byID[m.ID]
		if !ok {
			t.Fatalf("message %s (%s) was not appended by the test", m.ID, m.Env.Type)
		}
		if prev, dup := first[m.ID]; dup {
			if string(prev.Body) != string(m.Body) {
				t.Fatalf("duplicate of %s differs:\n%s\n%s", m.ID, prev.Body, m.Body)
			}
			continue
		}
		first[m.ID] = m
		if m.Env.Stream != e.Stream || m.Env.Revision != e.Revision || m.Env.Position != uint64(e.Position) {
			t.Fatalf("envelope of %s: %s/%d at %d, want %s/%d at %d", m.ID, m.Env.Stream, m.Env.Revision, m.Env.Position, e.Stream, e.Revision, e.Position)
		}
		if m.Env.Revision < next[e.Stream] {
			t.Fatalf("%s revision %d arrived after a later revision of its stream", e.Stream, m.Env.Revision)
		}
		next[e.Stream] = m.Env.Revision + 1
	}
	lost := 0
	for id := range byID {
		if _, ok := first[id]; !ok {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d events never arrived", lost, len(want))
	}
}

// Querier is a PostgreSQL connection or pool.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Publishable lists the events of the PostgreSQL event store behind q that the publisher
// publishes, in $all order (ID, stream, revision and position).
func Publishable(t testing.TB, q Querier) []eventstore.RecordedEvent {
	t.Helper()
	rows, err := q.Query(context.Background(), `SELECT event_id, stream_id, revision, position FROM events
		WHERE type = ANY($1) ORDER BY position`, integration.Filter(nil).TypePrefixes)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []eventstore.RecordedEvent
	for rows.Next() {
		var (
			e        eventstore.RecordedEvent
			id       uuid.UUID
			rev, pos int64
		)
		if err := rows.Scan(&id, &e.Stream, &rev, &pos); err != nil {
			t.Fatal(err)
		}
		e.ID, e.Revision, e.Position = id, uint64(rev), eventstore.Position(pos)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no publishable event in the store")
	}
	return out
}
