package publish

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/odata-pos/pos/internal/tcpproxy"
	pt "github.com/odata-pos/pos/publish/publishtest"
)

// rabbit is an exchange and a queue bound to all of it, without a consumer, on the machine's
// RabbitMQ; deleted at the end of the test.
type rabbit struct {
	exchange, queue string
	ch              *amqp.Channel
}

func newRabbit(t *testing.T, args amqp.Table) *rabbit {
	t.Helper()
	conn, err := amqp.Dial(pt.AMQPURL())
	if err != nil {
		pt.Unavailable(t, "RabbitMQ", pt.AMQPURL(), err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	sfx := pt.Suffix()
	r := &rabbit{exchange: "pt.x" + sfx, queue: "pt.q" + sfx, ch: ch}
	if err := ch.ExchangeDeclare(r.exchange, "topic", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(r.queue, false, false, false, false, args); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(r.queue, "#", r.exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = ch.QueueDelete(r.queue, false, false, false)
		_ = ch.ExchangeDelete(r.exchange, false, false)
	})
	return r
}

// queued is how many messages the queue holds.
func (r *rabbit) queued(t *testing.T) int {
	t.Helper()
	q, err := r.ch.QueueDeclarePassive(r.queue, false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q.Messages
}

// publisher dials the RabbitMQ target at base (an amqp:// URL) the way the worker does.
func (r *rabbit) publisher(t *testing.T, base string) message.Publisher {
	t.Helper()
	target, err := ParseTarget(base+"?name=rabbitmq&exchange="+r.exchange, nil, DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	s, err := dial(context.Background(), target, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.publisher.Close() })
	return s.publisher
}

func messages(prefix string, n int) []*message.Message {
	var out []*message.Message
	for i := range n {
		m := message.NewMessage(fmt.Sprintf("%s-%d", prefix, i), []byte(`{}`))
		m.Metadata.Set(HeaderType, "stock.moved.v1")
		m.Metadata.Set(HeaderStream, fmt.Sprintf("stock-%s-%d", prefix, i))
		out = append(out, m)
	}
	return out
}

// TestAMQPPublisherReturnsOnceEveryMessageIsConfirmed: a call of many messages returns when
// all of them are in the queue, each with the properties and headers consumers rely on.
func TestAMQPPublisherReturnsOnceEveryMessageIsConfirmed(t *testing.T) {
	r := newRabbit(t, nil)
	pub := r.publisher(t, pt.AMQPURL())
	if err := pub.Publish("pos.stock.moved.v1.s1", messages("m", 300)...); err != nil {
		t.Fatal(err)
	}
	if n := r.queued(t); n != 300 {
		t.Fatalf("%d messages queued after Publish returned, want 300", n)
	}
	d, ok, err := r.ch.Get(r.queue, true)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if d.Exchange != r.exchange || d.RoutingKey != "pos.stock.moved.v1.s1" || d.MessageId != "m-0" ||
		d.Type != "stock.moved.v1" || d.ContentType != "application/json" || d.AppId != "posd" ||
		d.DeliveryMode != amqp.Persistent || d.Headers["_watermill_message_uuid"] != "m-0" ||
		d.Headers[HeaderType] != "stock.moved.v1" || d.Headers[HeaderStream] != "stock-m-0" || string(d.Body) != `{}` {
		t.Errorf("delivery %+v", d)
	}
}

// TestAMQPPublisherFailsACallWithARefusedMessage: a negative confirm (a full queue that
// refuses publishes) fails the call; the channel stays usable.
func TestAMQPPublisherFailsACallWithARefusedMessage(t *testing.T) {
	r := newRabbit(t, amqp.Table{"x-max-length": int32(2), "x-overflow": "reject-publish"})
	pub := r.publisher(t, pt.AMQPURL())
	err := pub.Publish("pos.a", messages("m", 3)...)
	if err == nil || !strings.Contains(err.Error(), "refused message m-2") {
		t.Fatalf("Publish of 3 into a queue of 2: %v", err)
	}
	if _, err := r.ch.QueuePurge(r.queue, false); err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish("pos.a", messages("n", 2)...); err != nil {
		t.Fatalf("Publish after the refusal: %v", err)
	}
	if n := r.queued(t); n != 2 {
		t.Errorf("%d messages queued, want 2", n)
	}
}

// TestAMQPPublisherRedialsAfterALostConnection: with the broker unreachable a call fails;
// once it is reachable again the next call dials afresh and succeeds.
func TestAMQPPublisherRedialsAfterALostConnection(t *testing.T) {
	r := newRabbit(t, nil)
	target := strings.TrimSuffix(pt.AMQPURL()[strings.LastIndex(pt.AMQPURL(), "@")+1:], "/")
	p := pt.NewProxy(t, target)
	pub := r.publisher(t, "amqp://guest:guest@"+p.Addr+"/")
	if err := pub.Publish("pos.a", messages("a", 5)...); err != nil {
		t.Fatal(err)
	}
	p.Close() // the connection is cut and no new one is accepted
	if err := pub.Publish("pos.a", messages("b", 5)...); err == nil {
		t.Fatal("Publish succeeded with the broker unreachable")
	}
	ln, err := net.Listen("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	p = tcpproxy.Start(t, ln, target)
	if err := pub.Publish("pos.a", messages("c", 5)...); err != nil {
		t.Fatalf("Publish after the broker came back: %v", err)
	}
	if p.Accepted() != 1 {
		t.Errorf("%d connections after the broker came back, want 1", p.Accepted())
	}
	if n := r.queued(t); n < 10 {
		t.Errorf("%d messages queued, want at least 10", n)
	}
}

// TestAMQPPublisherSharesItsChannel: concurrent calls (the window's lanes) share the channel;
// each returns once its messages are confirmed, and each caller's messages are queued in the
// order it published them.
func TestAMQPPublisherSharesItsChannel(t *testing.T) {
	const callers, calls, per = 16, 20, 5
	r := newRabbit(t, nil)
	pub := r.publisher(t, pt.AMQPURL())
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range calls {
				if err := pub.Publish("pos.a", messages(fmt.Sprintf("c%d.%02d", c, i), per)...); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := r.queued(t); n != callers*calls*per {
		t.Fatalf("%d messages queued, want %d", n, callers*calls*per)
	}
	deliveries, err := r.ch.Consume(r.queue, "", true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]string{} // caller: its last message ID seen
	for range callers * calls * per {
		d := <-deliveries
		caller, _, _ := strings.Cut(d.MessageId, ".")
		if d.MessageId <= last[caller] {
			t.Fatalf("%s queued after %s", d.MessageId, last[caller])
		}
		last[caller] = d.MessageId
	}
}
