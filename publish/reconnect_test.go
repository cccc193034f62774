package publish_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	pt "github.com/odata-pos/pos/publish/publishtest"
)

// TestSurvivesLostBrokerConnections stands in for a broker restart (the shared brokers of the
// machine are not ours to restart): the publisher reaches each broker through a TCP proxy
// that cuts every connection twice mid-stream. The clients reconnect through the proxy, the
// publisher retries from its checkpoint, and every event still arrives, in order per stream.
func TestSurvivesLostBrokerConnections(t *testing.T) {
	for _, b := range pt.Brokers {
		t.Run(b.Name, func(t *testing.T) {
			db := newDatabase(t)
			target := strings.TrimPrefix(strings.TrimPrefix(pt.NATSURL(), "nats://"), "tls://")
			if b.Name == "rabbitmq" {
				target = pt.AMQPURL()[strings.LastIndex(pt.AMQPURL(), "@")+1:]
				target = strings.TrimSuffix(target, "/")
			}
			p := pt.NewProxy(t, target)
			url, c := b.Setup(t, p.Addr)
			w := newWriter(db.store, 3)
			w.appendN(t, 60)
			startWorker(t, db, prometheus.NewRegistry(), url)
			for round, n := range []int{20, 80} {
				eventually(t, func() string { return fmt.Sprintf("round %d: %d of %d messages", round, c.Distinct(), n) },
					func() bool { return c.Distinct() >= n })
				p.Cut()
				w.appendN(t, 30) // while the connection is down or coming back
			}
			want := w.out.all()
			eventually(t, func() string { return fmt.Sprintf("%d of %d messages after the cuts", c.Distinct(), len(want)) },
				func() bool { return c.Distinct() >= len(want) })
			pt.CheckDelivery(t, want, c.Messages())
			if p.Accepted() < 2 {
				t.Errorf("the publisher connected %d times through the proxy: it never reconnected", p.Accepted())
			}
		})
	}
}
