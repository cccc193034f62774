package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/integration"
	"github.com/odata-pos/pos/publish"
	pt "github.com/odata-pos/pos/publish/publishtest"
)

// startWorker runs a publisher on db for urls until the test ends.
func startWorker(t testing.TB, db *database, reg prometheus.Registerer, urls ...string) {
	t.Helper()
	targets, err := publish.ParseTargets(urls, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	w, err := publish.New(publish.Config{Pool: db.pool, Store: db.store, Targets: targets, Registerer: reg,
		Logger: testLog(t), PollInterval: pollInterval})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

const pollInterval = 100_000_000 // 100 ms

// TestPublishesEveryEventInOrderWithTheContract: every published event reaches the broker
// once, each stream's in order (streams overtake each other within the window), with the event ID as message ID, the envelope filled from the event and
// the data rendered publicly; unpublished types stay out; the checkpoint and the metrics
// follow.
func TestPublishesEveryEventInOrderWithTheContract(t *testing.T) {
	for _, b := range pt.Brokers {
		t.Run(b.Name, func(t *testing.T) {
			db := newDatabase(t)
			url, c := b.Setup(t, "")
			w := newWriter(db.store, 4)
			w.appendN(t, 30)
			saleID := w.appendSale(t)
			reg := prometheus.NewRegistry()
			startWorker(t, db, reg, url)
			w.appendN(t, 30) // live, after the history
			want := w.out.all()
			eventually(t, func() string { return fmt.Sprintf("%d of %d messages", c.Distinct(), len(want)) },
				func() bool { return c.Distinct() >= len(want) })
			got := c.Messages()
			if len(got) != len(want) {
				t.Errorf("%d messages for %d events: a duplicate without a restart", len(got), len(want))
			}
			pt.CheckDelivery(t, want, got)
			for _, m := range got {
				if m.Env.ID == saleID.String() {
					checkSaleContract(t, m)
				} else if m.Env.Type != integration.TypeStockMoved || !strings.HasPrefix(m.Env.CorrelationID, "corr-") ||
					!strings.HasPrefix(m.Env.CausationID, "cause-") || m.Env.StoreID == "" || m.Env.OccurredAt.IsZero() ||
					!m.Env.OccurredAt.Before(m.Env.RecordedAt) || m.Env.Version != integration.ContractVersion {
					t.Errorf("envelope %+v", m.Env)
				}
			}
			last := want[len(want)-1].Position
			eventually(t, func() string { return "checkpoint at the last event" }, func() bool {
				var pos int64
				err := db.pool.QueryRow(context.Background(), `SELECT position FROM publish_checkpoints WHERE name = $1`, b.Name).Scan(&pos)
				return err == nil && eventstore.Position(pos) == last
			})
			if n := testutil.ToFloat64(counter(t, reg, "pos_publish_messages_total", b.Name)); n != float64(len(want)) {
				t.Errorf("pos_publish_messages_total = %v, want %d", n, len(want))
			}
		})
	}
}

// counter and gauge copy one series of reg, for testutil.ToFloat64.
func counter(t *testing.T, reg *prometheus.Registry, name, target string) prometheus.Collector {
	return series(t, reg, name, target, func(m *dto.Metric) float64 { return m.GetCounter().GetValue() })
}

func gauge(t *testing.T, reg *prometheus.Registry, name, target string) prometheus.Collector {
	return series(t, reg, name, target, func(m *dto.Metric) float64 { return m.GetGauge().GetValue() })
}

func series(t *testing.T, reg *prometheus.Registry, name, target string, value func(*dto.Metric) float64) prometheus.Collector {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == target {
				return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: "copy"}, func() float64 { return value(m) })
			}
		}
	}
	t.Fatalf("no %s{target=%q}", name, target)
	return nil
}

// checkSaleContract: the sale's data is the public rendering, not the internal event.
func checkSaleContract(t *testing.T, m pt.Received) {
	t.Helper()
	var s integration.SaleCompleted
	if err := json.Unmarshal(m.Env.Data, &s); err != nil {
		t.Fatal(err)
	}
	if m.Env.Type != integration.TypeSaleCompleted || s.Totals.Total.Amount != 500 || s.Totals.Total.Currency != "EUR" ||
		len(s.Lines) != 1 || s.Lines[0].Quantity.String() != "2" || s.Lines[0].Tax.Amount != 87 || s.ReceiptNumber != 7 ||
		len(s.Payments) != 1 || s.Payments[0].Tender != "cash" || m.Env.StoreID != s.StoreID.String() {
		t.Errorf("sale.completed.v1: %s", m.Env.Data)
	}
	for _, internal := range []string{"cash_in", "list_price", "line_discount", "non_cash_paid", "\"due\""} {
		if strings.Contains(string(m.Env.Data), internal) {
			t.Errorf("sale.completed.v1 carries the internal field %s: %s", internal, m.Env.Data)
		}
	}
}
