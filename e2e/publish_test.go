package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/internal/poll"
	pt "github.com/odata-pos/pos/publish/publishtest"
)

// TestKilledPublisherDeliversEveryEvent records a busy day through posd's API, then publishes
// it with `posd --role publisher` to the machine's NATS JetStream and RabbitMQ, killing that
// posd with SIGKILL three times while it is behind. In the end every event of a published type
// reached both brokers at least once, nothing else did, a message delivered twice is the same
// message with the same ID, and each stream's events arrived in order.
func TestKilledPublisherDeliversEveryEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: not in -short")
	}
	db := pgtest.NewDatabase(t)
	var urls []string
	var consumers []*pt.Consumer
	for _, b := range pt.Brokers {
		url, c := b.Setup(t, "")
		urls = append(urls, url)
		consumers = append(consumers, c)
	}
	api := startPosd(t, posdEnv(t, db, map[string]string{"POS_ROLE": "api"}))
	recordBusyDay(t, api)
	api.stop()
	want := pt.Publishable(t, connect(t, db))
	t.Logf("%d events to publish", len(want))

	least := func() int {
		n := len(want)
		for _, c := range consumers {
			n = min(n, c.Distinct())
		}
		return n
	}
	env := posdEnv(t, db, map[string]string{"POS_ROLE": "publisher", "POS_PUBLISH_URL": strings.Join(urls, ",")})
	midway := 0
	for i := range 3 {
		p := startPosd(t, env)
		target := min(len(want), least()+max(len(want)/5, 1))
		deadline := time.Now().Add(60 * time.Second)
		for least() < target && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		p.kill()
		t.Logf("kill %d: %d of %d events at every broker", i+1, least(), len(want))
		if least() < len(want) {
			midway++
		}
	}
	if midway == 0 {
		t.Fatal("no SIGKILL landed while the publisher was behind")
	}
	p := startPosd(t, env)
	poll.Eventually(t, 120*time.Second, func() bool { return least() >= len(want) }, func() string {
		return fmt.Sprintf("after %d kills, %d of %d events reached every broker; logs:\n%s", midway, least(), len(want), p.logs)
	})
	p.stop()
	for i, c := range consumers {
		got := c.Messages()
		pt.CheckDelivery(t, want, got)
		t.Logf("%s: %d events, %d messages (%d duplicates after %d SIGKILLs mid-stream)", pt.Brokers[i].Name, len(want), len(got), len(got)-len(want), midway)
	}
}
