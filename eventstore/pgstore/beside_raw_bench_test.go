package pgstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

// BenchmarkAppendBesideRaw is the bar of issue 10 for appends, measured in one run: at 1, 8
// and 32 writers, each append one ~330-byte event to a new stream, it runs the raw INSERT
// baseline (pgtest.RawInsertBaseline), the same baseline while a busy-loop child process burns
// one core beside it (raw+cpu), the store, and the store beside the busy core (store+cpu).
// Each reports events/s, p50 and p99 latency, the CPU time per append of the database's
// backends and of the benchmark process (server_us and client_us: these change far less with
// the load of a shared machine than throughput does), and every run but raw its ratio to the
// raw run (x_raw for events/s, p99_x_raw for p99). store+cpu also reports its ratio to
// raw+cpu (x_raw_cpu, p99_x_raw_cpu): the store and the baseline under the same busy core,
// beside the bar's own ratio to raw without it. Run with, for example:
//
//	go test -run '^$' -bench AppendBesideRaw -benchtime 4000x -count 3 ./eventstore/pgstore/
func BenchmarkAppendBesideRaw(b *testing.B) {
	data := benchEventData()
	for _, writers := range benchWriters {
		var raw, rawCPU appendFigures
		rawRun := func(b *testing.B) appendFigures {
			// Its own database and pool, closed before the store opens its own: the server's
			// connections are shared with others.
			url := pgtest.NewDatabase(b)
			insert := pgtest.RawInsertBaseline(b, url, writers+4)
			return timedAppends(b, newCPUMeter(b, url), writers, func(ctx context.Context, i int) error {
				return insert(ctx, fmt.Sprintf("raw-%d", i), string(data))
			})
		}
		b.Run(fmt.Sprintf("writers=%d/raw", writers), func(b *testing.B) {
			raw = rawRun(b)
			raw.report(b, raw)
		})
		b.Run(fmt.Sprintf("writers=%d/raw+cpu", writers), func(b *testing.B) {
			stop := burnOneCore(b)
			defer stop()
			rawCPU = rawRun(b)
			rawCPU.report(b, raw)
		})
		s, url := openBenchStore(b, writers)
		store := func(b *testing.B) appendFigures {
			evs := make([]eventstore.EventData, b.N) // made before the clock starts
			for i := range evs {
				evs[i] = eventstore.EventData{ID: uuid.New(), Type: "bench.happened.v1", Data: data,
					Metadata: eventstore.Metadata{CorrelationID: "c-1", UserID: "u-1"}}
			}
			f := timedAppends(b, newCPUMeter(b, url), writers, func(ctx context.Context, i int) error {
				_, err := s.Append(ctx, "bench-"+evs[i].ID.String(), eventstore.NoStream, evs[i:i+1])
				return err
			})
			f.report(b, raw)
			return f
		}
		b.Run(fmt.Sprintf("writers=%d/store", writers), func(b *testing.B) { store(b) })
		b.Run(fmt.Sprintf("writers=%d/store+cpu", writers), func(b *testing.B) {
			stop := burnOneCore(b)
			defer stop()
			store(b).reportRatios(b, rawCPU, "raw_cpu")
		})
		_ = s.Close()
	}
}

// benchEventData is a 330-byte JSON event body, about the size of a sale line event.
func benchEventData() json.RawMessage {
	head := `{"sale_id":"` + uuid.NewString() + `","line_id":"` + uuid.NewString() +
		`","product_id":"` + uuid.NewString() + `","quantity":"1.000","unit_price":{"amount":1999,"currency":"EUR"},"note":"`
	tail := `"}`
	return json.RawMessage(head + strings.Repeat("x", 330-len(head)-len(tail)) + tail)
}

// appendFigures are the outcome of one timed run of appends.
type appendFigures struct {
	perSecond float64
	p50, p99  time.Duration
	// server and client are the CPU time per append of the database's backends (negative:
	// unknown) and of this process.
	server, client time.Duration
}

// report reports f and, unless f is the raw run itself, its ratios to raw.
func (f appendFigures) report(b *testing.B, raw appendFigures) {
	b.ReportMetric(f.perSecond, "events/s")
	b.ReportMetric(float64(f.p50.Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(f.p99.Microseconds())/1000, "p99_ms")
	if f.server >= 0 {
		b.ReportMetric(float64(f.server.Nanoseconds())/1000, "server_us")
	}
	b.ReportMetric(float64(f.client.Nanoseconds())/1000, "client_us")
	if f != raw {
		f.reportRatios(b, raw, "raw")
	}
}

// reportRatios reports f's events/s and p99 as multiples of base's (x_<name>, p99_x_<name>).
func (f appendFigures) reportRatios(b *testing.B, base appendFigures, name string) {
	if base.perSecond > 0 && base.p99 > 0 {
		b.ReportMetric(f.perSecond/base.perSecond, "x_"+name)
		b.ReportMetric(float64(f.p99)/float64(base.p99), "p99_x_"+name)
	}
}

// timedAppends runs op for i = 0..b.N-1 spread over writers goroutines and measures the
// throughput, the latency of every op and the CPU time per op (by cpu).
func timedAppends(b *testing.B, cpu *cpuMeter, writers int, op func(ctx context.Context, i int) error) appendFigures {
	b.Helper()
	ctx := context.Background()
	took := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	cpu0 := cpu.sample(b)
	b.ResetTimer()
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := op(ctx, i); err != nil {
					errs <- err
					return
				}
				took[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	server, client, known := cpu.sample(b).since(cpu0)
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	slices.Sort(took)
	f := appendFigures{
		perSecond: float64(b.N) / elapsed.Seconds(),
		p50:       took[len(took)/2],
		p99:       took[min(len(took)-1, len(took)*99/100)],
		server:    server / time.Duration(b.N),
		client:    client / time.Duration(b.N),
	}
	if !known {
		f.server = -1
	}
	return f
}

// burnOneCore starts a busy-loop child process (one core of CPU-bound work beside the store)
// and returns the function that stops it.
func burnOneCore(b *testing.B) (stop func()) {
	b.Helper()
	cmd := exec.Command("sh", "-c", "while :; do :; done")
	if err := cmd.Start(); err != nil {
		b.Fatalf("start cpu burner: %v", err)
	}
	return func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}
