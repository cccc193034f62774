package sales_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

// BenchmarkCompleteSale completes one-shot three-line card sales (open, 3 lines, payment,
// checkout, shift record, receipt number, completion: 4 appends on 3 streams) on the
// PostgreSQL event store, each client its own register, as a fleet of tills does:
//
//   - handler: commands.Sales.Create, no HTTP;
//   - http: POST /sales through the sales handlers on a real HTTP server (JSON both ways;
//     authentication and rate limiting left out, see harness);
//   - raw_insert: the bar — one INSERT per autocommit transaction into a plain table on the
//     same PostgreSQL at the same concurrency.
//
// Each reports sales/s (rows/s for raw_insert), p50-ms and p99-ms. Run with:
//
//	go test -run '^$' -bench BenchmarkCompleteSale -benchtime 2000x ./api/sales/
func BenchmarkCompleteSale(b *testing.B) {
	for _, clients := range []int{8, 32} {
		b.Run(fmt.Sprintf("handler/clients=%d", clients), func(b *testing.B) {
			hs, _ := benchHarness(b, clients)
			ctx := context.Background()
			clientsLoop(b, clients, func(c, _ int) error {
				in := hs.oneShot(c)
				_, err := hs.sales.Create(ctx, commands.Context{ID: "sale.create:" + in.SaleID.String(), UserID: "cashier",
					StoreID: in.StoreID.String(), RegisterID: in.RegisterID.String(), OccurredAt: time.Now()}, in)
				return err
			})
		})
		b.Run(fmt.Sprintf("http/clients=%d", clients), func(b *testing.B) {
			hs, _ := benchHarness(b, clients)
			srv := httptest.NewServer(hs.router)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
			clientsLoop(b, clients, func(c, _ int) error {
				body, err := json.Marshal(hs.oneShotBody(c))
				if err != nil {
					return err
				}
				resp, err := client.Post(srv.URL+"/api/v1/sales", "application/json", bytes.NewReader(body))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				answer, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusCreated {
					return fmt.Errorf("status %d: %s", resp.StatusCode, answer)
				}
				return nil
			})
		})
		b.Run(fmt.Sprintf("raw_insert/clients=%d", clients), func(b *testing.B) {
			_, url := benchHarness(b, 0)
			insert := pgtest.RawInsertBaseline(b, url, clients+4)
			data := `{"sale_id":"` + uuid.NewString() + `","total":{"amount":2117,"currency":"EUR"}}`
			clientsLoop(b, clients, func(c, _ int) error {
				return insert(context.Background(), fmt.Sprint("sale-", c), data)
			})
		})
	}
}

// benchHarness opens a PostgreSQL event store on a fresh database and a harness with one
// register (and open shift) per client.
func benchHarness(b *testing.B, clients int) (*harness, string) {
	b.Helper()
	url := pgtest.NewDatabase(b)
	store, err := pgstore.Open(context.Background(), url, pgstore.Options{MaxConns: int32(2*clients + 8),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	return newHarness(b, store, clients), url
}

// clientsLoop runs op b.N times over clients goroutines (op gets the client and its own
// sequence number) and reports throughput and latency percentiles.
func clientsLoop(b *testing.B, clients int, op func(client, i int) error) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	latencies := make([][]time.Duration, clients)
	errs := make(chan error, clients)
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; next.Add(1) <= int64(b.N); i++ {
				t0 := time.Now()
				if err := op(c, i); err != nil {
					errs <- err
					return
				}
				latencies[c] = append(latencies[c], time.Since(t0))
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
	all := slices.Concat(latencies...)
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "sales/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
