package publish_test

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	pt "github.com/odata-pos/pos/publish/publishtest"
)

// TestBrokerRefusingMidWindowLosesAndReordersNothing: the broker refuses publishes while
// others of the same window are in flight or confirmed (a JetStream work queue and a RabbitMQ
// queue that hold 8 messages and refuse more, emptied slowly by their consumer). The publisher
// retries from the checkpoint again and again; every event still arrives, and each stream's
// events arrive in revision order counting each at its first delivery (what a consumer that
// deduplicates by ID sees).
func TestBrokerRefusingMidWindowLosesAndReordersNothing(t *testing.T) {
	for _, b := range pt.Brokers {
		t.Run(b.Name, func(t *testing.T) {
			db := newDatabase(t)
			url, c := b.Refusing(t, 8)
			w := newWriter(db.store, 6)
			w.appendN(t, 100)
			reg := prometheus.NewRegistry()
			startWorker(t, db, reg, url)
			w.appendN(t, 40) // live, while the broker refuses
			want := w.out.all()
			eventually(t, func() string { return fmt.Sprintf("%d of %d messages", c.Distinct(), len(want)) },
				func() bool { return c.Distinct() >= len(want) })
			got := c.Messages()
			pt.CheckDelivery(t, want, got)
			failures := testutil.ToFloat64(counter(t, reg, "pos_publish_failures_total", b.Name))
			if failures == 0 {
				t.Fatal("the broker never refused a publish: the test proved nothing")
			}
			t.Logf("%d events, %d messages received, %v failed batches", len(want), len(got), failures)
		})
	}
}
