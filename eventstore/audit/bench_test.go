package audit_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/audit"
)

// BenchmarkVerify verifies a log of POS_AUDIT_BENCH_EVENTS events (default 1,000,000: 100,000
// streams of 10 events, interleaved, sealed every 10,000 events) and, as the baseline, pages
// through the same events with a plain ReadAll. Run with:
//
//	go test -run '^$' -bench Verify -benchtime 1x -timeout 60m ./eventstore/audit/
func BenchmarkVerify(b *testing.B) {
	total := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("POS_AUDIT_BENCH_EVENTS")); err == nil && v > 0 {
		total = v
	}
	e := newEnv(b)
	start := time.Now()
	e.fill(b, "sale", total/10, 10, 5)
	cp := e.checkpoint(b, 10000)
	b.Logf("filled and sealed %d events in %s", cp.Count, time.Since(start).Round(time.Second))
	ctx := ctxT(b, time.Hour)

	b.Run("ReadAllBaseline", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = 0
			for from := eventstore.Start; ; {
				evs, err := e.store.ReadAll(ctx, from, 5000, eventstore.Filter{})
				if err != nil {
					b.Fatal(err)
				}
				if len(evs) == 0 {
					break
				}
				n += len(evs)
				from = evs[len(evs)-1].Position
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	// Verify reads pgstore's events in one snapshot; VerifyThroughReadAll walks ReadAll as on
	// EventStoreDB (no streams table), for comparison.
	for _, c := range []struct {
		name     string
		snapshot bool
	}{{"Verify", true}, {"VerifyThroughReadAll", false}} {
		b.Run(c.name, func(b *testing.B) {
			var rep audit.Report
			for b.Loop() {
				var err error
				rep, err = audit.Verify(ctx, e.store, e.db, testKey, audit.Options{StreamTable: c.snapshot})
				if err != nil || !rep.OK || rep.Events != uint64(total) {
					b.Fatalf("verify: %+v %v", rep, err)
				}
			}
			b.ReportMetric(float64(rep.Events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
