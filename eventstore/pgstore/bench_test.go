package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

// Run with, for example:
//
//	go test -run '^$' -bench . -benchtime 5s ./eventstore/pgstore/
//
// Each benchmark run gets its own database. Compare BenchmarkAppend/events=1/writers=32 with
// BenchmarkRawInsertBaseline/writers=32 (one INSERT per autocommit transaction) of the same run.

var benchWriters = []int{1, 8, 32}

// openBenchStore opens a store on a fresh database with a pool large enough for writers.
func openBenchStore(b *testing.B, writers int) (*pgstore.Store, string) {
	b.Helper()
	url := pgtest.NewDatabase(b)
	s, err := pgstore.Open(context.Background(), url, pgstore.Options{MaxConns: int32(writers + 4), Logger: quietLogger})
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	return s, url
}

// parallel runs op b.N times spread over writers goroutines (each with its own index) and
// reports events/s.
func parallel(b *testing.B, writers, eventsPerOp int, op func(w, i int) error) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if next.Add(1) > int64(b.N) {
					return
				}
				if err := op(w, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(b.N*eventsPerOp)/elapsed.Seconds(), "events/s")
}

// BenchmarkAppend appends batches of 1 or 10 events, each writer to its own streams at the
// exact expected revision, as command handlers do.
func BenchmarkAppend(b *testing.B) {
	for _, n := range []int{1, 10} {
		for _, writers := range benchWriters {
			b.Run(fmt.Sprintf("events=%d/writers=%d", n, writers), func(b *testing.B) {
				s, _ := openBenchStore(b, writers)
				defer s.Close()
				ctx := context.Background()
				revs := make([]int64, writers) // each writer's stream revision, -1: new
				for i := range revs {
					revs[i] = -1
				}
				batches := make([][]eventstore.EventData, b.N) // made before the clock starts
				for i := range batches {
					batches[i] = events(n)
				}
				var next atomic.Int64
				parallel(b, writers, n, func(w, i int) error {
					batch := batches[next.Add(1)-1]
					exp := eventstore.NoStream
					if revs[w] >= 0 {
						exp = eventstore.Exact(uint64(revs[w]))
					}
					res, err := s.Append(ctx, fmt.Sprintf("bench-%d", w), exp, batch)
					if err != nil {
						return err
					}
					revs[w] = int64(res.Revision)
					return nil
				})
			})
		}
	}
}

// BenchmarkRawInsertBaseline is the bar for BenchmarkAppend: one plain INSERT of one row per
// autocommit transaction into a table with a bigserial key.
func BenchmarkRawInsertBaseline(b *testing.B) {
	for _, writers := range benchWriters {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			insert := pgtest.RawInsertBaseline(b, pgtest.NewDatabase(b), writers+4)
			data := string(events(1)[0].Data)
			parallel(b, writers, 1, func(w, i int) error {
				return insert(context.Background(), fmt.Sprintf("bench-%d", w), data)
			})
		})
	}
}

// fill appends total events in batches of 100 to a few streams.
func fill(b *testing.B, s eventstore.Store, total int) {
	b.Helper()
	ctx := context.Background()
	for i := 0; i < total; i += 100 {
		if _, err := s.Append(ctx, fmt.Sprintf("fill-%d", i%10), eventstore.Any, events(min(100, total-i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadAll pages through $all, 500 events a page.
func BenchmarkReadAll(b *testing.B) {
	s, _ := openBenchStore(b, 1)
	defer s.Close()
	ctx := context.Background()
	fill(b, s, b.N)
	b.ResetTimer()
	start := time.Now()
	from, n := eventstore.Start, 0
	for n < b.N {
		evs, err := s.ReadAll(ctx, from, 500, eventstore.Filter{})
		if err != nil || len(evs) == 0 {
			b.Fatalf("read after %d: %d events, err %v", from, len(evs), err)
		}
		n += len(evs)
		from = evs[len(evs)-1].Position
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkSubscribe delivers b.N events to a subscriber: half history, half appended live by
// 8 writers while it runs.
func BenchmarkSubscribe(b *testing.B) {
	s, _ := openBenchStore(b, 8)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	history := b.N / 2
	fill(b, s, history)
	b.ResetTimer()
	start := time.Now()
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	live := b.N - history
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * 10; i < live; i += 80 {
				if _, err := s.Append(ctx, fmt.Sprintf("live-%d", w), eventstore.Any, events(min(10, live-i))); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	var last eventstore.Position
	for n := 0; n < b.N; n++ {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				b.Fatalf("subscription ended: %v", sub.Err())
			}
			if e.Position <= last {
				b.Fatalf("position %d after %d", e.Position, last)
			}
			last = e.Position
		case <-time.After(30 * time.Second):
			b.Fatalf("no event after %d of %d", n, b.N)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	wg.Wait()
}

// plannedReadSQL is the multi-stream read as ReadStreams sent it before migration 0005: a
// plain statement, planned at every call (its plan cached on the connection would scan whole
// tables once they grew; TestReadStreamsPlanServesAGrownTable).
const plannedReadSQL = `
SELECT r.ord, s.deleted, s.revision, e.position, e.event_id, e.revision, e.type, e.data, e.metadata, e.recorded_at, e.hash
  FROM unnest($1::text[], $2::bigint[], $3::int[]) WITH ORDINALITY AS r(stream, start, lim, ord)
  JOIN streams s ON s.stream_id = r.stream
  LEFT JOIN LATERAL (
        SELECT * FROM events e
         WHERE e.stream_id = s.stream_id AND e.revision >= r.start
         ORDER BY e.revision
         LIMIT r.lim) e ON true
 ORDER BY r.ord, e.revision`

// BenchmarkReadStreams reads 8 of 2,000 streams in one statement, as a sale's command reads
// its store, register, shift, products and tax code: the read_streams function that
// ReadStreams runs against the same statement planned at every call, on one connection.
func BenchmarkReadStreams(b *testing.B) {
	s, url := openBenchStore(b, 1)
	defer func() { _ = s.Close() }()
	ctx := context.Background()
	for i := range 2000 {
		mustAppend(b, s, fmt.Sprintf("bench-%d", i), eventstore.NoStream, events(5))
	}
	conn := rawConn(b, url)
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	names := []string{"bench-1", "bench-2", "bench-3", "bench-4", "bench-5", "bench-6", "bench-7", "bench-8"}
	starts := []int64{0, 0, 0, 0, 0, 4, 4, 4} // whole streams, and the last event of the others
	limits := []int32{100, 100, 100, 100, 100, 100, 100, 100}
	for _, c := range []struct {
		name string
		sql  string
		mode pgx.QueryExecMode
	}{{"function", pgstore.ReadStreamsSQL, pgx.QueryExecModeCacheStatement}, {"planned-each-call", plannedReadSQL, pgx.QueryExecModeCacheDescribe}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rows, err := conn.Query(ctx, c.sql, c.mode, names, starts, limits)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					n++
				}
				if err := rows.Err(); err != nil || n != 28 {
					b.Fatalf("%d rows, %v; want 28", n, err)
				}
			}
		})
	}
}
