package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
	evaudit "github.com/odata-pos/pos/eventstore/audit"
	"github.com/odata-pos/pos/eventstore/esdb"
	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

// BenchmarkExportRestore measures the backup round trip of a log of POS_BENCH_EVENTS events
// (default 100,000; sale-sized events, 10 per stream): posctl audit export of the whole log
// to a JSONL file, then posctl restore of that file into a new PostgreSQL store and, with
// POS_BENCH_ESDB=1, into the EventStoreDB emulator (in memory: a test double, so its figure
// says little about a real server). It reports events/s of each step.
//
//	POS_BENCH_EVENTS=1000000 go test -run '^$' -bench ExportRestore -benchtime 1x -timeout 60m ./cmd/posctl/
func BenchmarkExportRestore(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("POS_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	srcURL := pgtest.NewDatabase(b)
	src, err := pgstore.Open(ctx, srcURL, pgstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	t0 := time.Now()
	generate(b, src, n)
	b.Logf("generated %d events in %s", n, time.Since(t0).Round(time.Millisecond))
	srcDB, err := pgxpool.New(ctx, srcURL)
	if err != nil {
		b.Fatal(err)
	}
	defer srcDB.Close()
	file := filepath.Join(b.TempDir(), "backup.jsonl")
	b.ResetTimer()
	for range b.N {
		f, err := os.Create(file)
		if err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		got, err := export(ctx, &evaudit.PGReader{DB: srcDB, Store: src}, evaudit.Query{Limit: 1000}, "jsonl", f, io.Discard)
		if err != nil || got != int64(n) {
			b.Fatalf("export: %d events, %v", got, err)
		}
		exportTook := time.Since(t0)
		_ = f.Close()
		st, _ := os.Stat(file)
		b.ReportMetric(float64(n)/exportTook.Seconds(), "export-events/s")
		b.Logf("export: %d events, %d MB in %s", n, st.Size()>>20, exportTook.Round(time.Millisecond))

		dstURL := pgtest.NewDatabase(b)
		dst, err := pgstore.Open(ctx, dstURL, pgstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/restoreFile(b, dst, file, "postgres").Seconds(), "pg-restore-events/s")
		dst.Close()
		if os.Getenv("POS_BENCH_ESDB") != "" {
			srv := esdbtest.New(b)
			es, err := esdb.Open(ctx, srv.URL(), esdb.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n)/restoreFile(b, es, file, "eventstoredb emulator").Seconds(), "esdb-restore-events/s")
			_ = es.Close()
			srv.Close()
		}
	}
}

// restoreFile restores file into dst and returns how long it took.
func restoreFile(b *testing.B, dst eventstore.Restorer, file, name string) time.Duration {
	f, err := os.Open(file)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	t0 := time.Now()
	rep, err := restore(context.Background(), dst, f, 1000, func(int64) {})
	took := time.Since(t0)
	if err != nil {
		b.Fatalf("restore into %s: %v", name, err)
	}
	b.Logf("restore into %s: %d events in %s", name, rep.events, took.Round(time.Millisecond))
	return took
}

// generate appends n sale-sized events, 10 per stream, from 8 writers.
func generate(b *testing.B, s eventstore.Store, n int) {
	const perStream, writers = 10, 8
	streams := (n + perStream - 1) / perStream
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := w; i < streams; i += writers {
				k := min(perStream, n-i*perStream)
				evs := make([]eventstore.EventData, k)
				for j := range evs {
					data, _ := json.Marshal(map[string]any{
						"sale_id": uuid.New(), "line_id": uuid.New(), "product_id": uuid.New(), "quantity": "2",
						"unit_price": map[string]any{"amount": 299 + j, "currency": "EUR"}, "tax": map[string]any{"amount": 52, "currency": "EUR"},
						"total": map[string]any{"amount": 598, "currency": "EUR"}, "tax_code": "STD", "note": fmt.Sprintf("line %d", j),
					})
					evs[j] = eventstore.EventData{ID: uuid.New(), Type: "bench.sale_line_added.v1", Data: data, Metadata: eventstore.Metadata{
						CorrelationID: uuid.NewString(), CausationID: uuid.NewString(), CommandID: uuid.NewString(), UserID: uuid.NewString(),
						StoreID: uuid.NewString(), RegisterID: uuid.NewString(), OccurredAt: time.Now().UTC(),
					}}
				}
				if _, err := s.Append(context.Background(), fmt.Sprintf("sale-%d", i), eventstore.NoStream, evs); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}
