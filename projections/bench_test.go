package projections_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// BenchmarkRebuild folds POS_BENCH_EVENTS (default 200,000) events from memstore into a fresh
// database through the items projection: one upsert per event, sent as one pgx.Batch per
// 500-event transaction. It reports events/s from start to caught up.
//
//	go test -run '^$' -bench BenchmarkRebuild -benchtime 3x ./projections/
func BenchmarkRebuild(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("POS_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	store := memstore.New()
	const perAppend = 100
	var last eventstore.Position
	for i := 0; i < n; i += perAppend {
		evs := make([]eventstore.EventData, 0, perAppend)
		for j := i; j < min(i+perAppend, n); j++ {
			data, _ := json.Marshal(itemAdded{Item: fmt.Sprintf("item-%d", j%5000), Amount: int64(j % 997)})
			evs = append(evs, eventstore.EventData{ID: uuid.New(), Type: "test.item_added.v1", Data: data})
		}
		res, err := store.Append(context.Background(), fmt.Sprintf("item-%d", i), eventstore.NoStream, evs)
		if err != nil {
			b.Fatal(err)
		}
		last = res.Position
	}
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		pool := newPool(b)
		cfg := fastConfig(pool, store, &items{name: "items", version: 1, filter: itemsFilter(), noLog: true})
		cfg.BatchSize, cfg.BatchWait = 500, 50*time.Millisecond
		b.StartTimer()
		t0 := time.Now()
		r := start(b, cfg)
		waitFor(b, r.Runner, "items", last)
		total += time.Since(t0)
		b.StopTimer()
		r.stop(b)
		if got := dump(b, pool, `SELECT sum(count)::bigint FROM items.items`); got[0] != strconv.Itoa(n) {
			b.Fatalf("folded %s events, want %d", got[0], n)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "events/s")
}
