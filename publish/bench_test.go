package publish_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	pt "github.com/odata-pos/pos/publish/publishtest"
)

// BenchmarkPublishBacklog measures how fast the publisher drains a backlog of appended events
// (POS_BENCH_EVENTS, default 2000) of a few streams (POS_BENCH_STREAMS, default 8; a shop's
// log has many: every sale is a stream of its own) to each broker, beside how fast the same
// events were appended by one writer: messages/s published and events/s appended.
//
//	POS_BENCH_EVENTS=5000 POS_BENCH_STREAMS=500 go test -run '^$' -bench PublishBacklog -benchtime 1x ./publish/
func BenchmarkPublishBacklog(b *testing.B) {
	n, streams := 2000, 8
	if v, err := strconv.Atoi(os.Getenv("POS_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	if v, err := strconv.Atoi(os.Getenv("POS_BENCH_STREAMS")); err == nil && v > 0 {
		streams = v
	}
	for _, br := range pt.Brokers {
		b.Run(br.Name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				db := newDatabase(b)
				url, c := br.Setup(b, "")
				w := newWriter(db.store, streams)
				start := time.Now()
				w.appendN(b, n)
				appendRate := float64(n) / time.Since(start).Seconds()
				b.StartTimer()
				start = time.Now()
				startWorker(b, db, prometheus.NewRegistry(), url)
				eventually(b, func() string { return "backlog published" }, func() bool { return c.Distinct() >= n })
				publishRate := float64(n) / time.Since(start).Seconds()
				b.ReportMetric(publishRate, "published/s")
				b.ReportMetric(appendRate, "appended/s")
			}
		})
	}
}
