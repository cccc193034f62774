package publish_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/odata-pos/pos/publish"
	pt "github.com/odata-pos/pos/publish/publishtest"
)

// TestReplayRepublishesHistoryFromAPosition: a consumer that joins late gets the history from
// the position asked for (inclusive), in order, and nothing before it.
func TestReplayRepublishesHistoryFromAPosition(t *testing.T) {
	for _, b := range pt.Brokers {
		t.Run(b.Name, func(t *testing.T) {
			db := newDatabase(t)
			w := newWriter(db.store, 3)
			w.appendN(t, 40)
			all := w.out.all()
			from := all[10].Position
			url, c := b.Setup(t, "")
			targets, err := publish.ParseTargets([]string{url}, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			n, last, err := publish.Replay(context.Background(), db.store, targets[0], from, testLog(t))
			if err != nil {
				t.Fatal(err)
			}
			want := all[10:]
			if n != len(want) || last != all[len(all)-1].Position {
				t.Errorf("replay published %d through %d, want %d through %d", n, last, len(want), all[len(all)-1].Position)
			}
			eventually(t, func() string { return fmt.Sprintf("%d of %d messages", c.Distinct(), len(want)) },
				func() bool { return c.Distinct() >= len(want) })
			pt.CheckDelivery(t, want, c.Messages())
		})
	}
}

// TestOneReplicaPublishesAtATime: two publishers on one database publish each event once:
// one leads the target, the other stands by.
func TestOneReplicaPublishesAtATime(t *testing.T) {
	b := pt.Brokers[1] // RabbitMQ does not deduplicate: a second publisher would show
	db := newDatabase(t)
	url, c := b.Setup(t, "")
	w := newWriter(db.store, 3)
	regs := []*prometheus.Registry{prometheus.NewRegistry(), prometheus.NewRegistry()}
	startWorker(t, db, regs[0], url)
	startWorker(t, db, regs[1], url)
	w.appendN(t, 60)
	want := w.out.all()
	eventually(t, func() string { return fmt.Sprintf("%d of %d messages", c.Distinct(), len(want)) },
		func() bool { return c.Distinct() >= len(want) })
	pt.CheckDelivery(t, want, c.Messages())
	if got := len(c.Messages()); got != len(want) {
		t.Errorf("%d messages for %d events: both replicas published", got, len(want))
	}
	leaders := 0.0
	for _, reg := range regs {
		leaders += testutil.ToFloat64(gauge(t, reg, "pos_publish_leader", b.Name))
	}
	if leaders != 1 {
		t.Errorf("%v replicas lead the target, want 1", leaders)
	}
}
