package publish_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestSurvivesLostBrokerConnections stands in for a broker restart (the shared brokers of the
// machine are not ours to restart): the publisher reaches each broker through a TCP proxy
// that cuts every connection twice mid-stream. The clients reconnect through the proxy, the
// publisher retries from its checkpoint, and every event still arrives, in order per stream.
func TestSurvivesLostBrokerConnections(t *testing.T) {
	for _, b := range brokers {
		t.Run(b.name, func(t *testing.T) {
			db := newDatabase(t)
			target := strings.TrimPrefix(strings.TrimPrefix(natsURL(), "nats://"), "tls://")
			if b.name == "rabbitmq" {
				target = amqpURL()[strings.LastIndex(amqpURL(), "@")+1:]
				target = strings.TrimSuffix(target, "/")
			}
			p := newProxy(t, target)
			url, c := b.setup(t, p.addr)
			w := newWriter(db.store, 3)
			w.appendN(t, 60)
			startWorker(t, db, prometheus.NewRegistry(), url)
			for round, n := range []int{20, 80} {
				eventually(t, func() string { return fmt.Sprintf("round %d: %d of %d messages", round, c.distinct(), n) },
					func() bool { return c.distinct() >= n })
				p.cut()
				w.appendN(t, 30) // while the connection is down or coming back
			}
			want := w.out.all()
			eventually(t, func() string { return fmt.Sprintf("%d of %d messages after the cuts", c.distinct(), len(want)) },
				func() bool { return c.distinct() >= len(want) })
			checkDelivery(t, want, c.messages())
			if p.accepted() < 2 {
				t.Errorf("the publisher connected %d times through the proxy: it never reconnected", p.accepted())
			}
		})
	}
}
