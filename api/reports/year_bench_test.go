package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/reports"
)

// BenchmarkYearSalesReport measures the latency of the sales report over a year of one
// store's data (issue 5), end to end over HTTP: GET /api/v1/reports/sales?from=&to=&store_id=
// &group_by=G&limit=10000 (the whole report in one answer) for each G of day, product,
// category, cashier, tender and hour, and reports p50, p95 and p99 in milliseconds.
//
// Seeding (year_seed_test.go) is honest end to end and takes minutes at the default volume:
// the domain events of the year (the store, its catalog, every SaleCompleted and about 1 %
// ReturnRecorded, one stream each, with the cashier and occurred_at in the metadata) are
// appended straight to the PostgreSQL event store, bypassing the command API, and the report
// projection folds them into the report tables, which are then VACUUM ANALYZEd. The default
// volume is 300 sales a day (by weekday 0.8–1.25×, opening hours 08:00–21:00 Europe/Amsterdam,
// 1–6 lines, Zipf-popular products) for 365 days of 2025, 2,000 products in 24 categories,
// 5 cashiers, 4 tenders; POS_BENCH_SALES_PER_DAY, POS_BENCH_DAYS and POS_BENCH_PRODUCTS
// change it. Stock movements and shifts are not generated (sales cost the catalog cost).
//
// Each grouping runs twice. "cold" is a report-cache miss on every request: a nonce
// parameter, which the handler ignores, keys each request differently in Redis, so every
// answer is computed from PostgreSQL (and then written to Redis) as after each new event;
// PostgreSQL's buffers are warm. "warm" answers the same request from the Redis entry. The
// API's pool is pgx's default (prepared statements), so after five runs on one connection
// PostgreSQL may switch to a generic plan, as it does in posd. -v prints the seeded volume.
//
//	go test -run '^$' -bench BenchmarkYearSalesReport -benchtime 200x -timeout 60m ./api/reports/
//	POS_BENCH_SALES_PER_DAY=5 POS_BENCH_DAYS=30 go test -run '^$' -bench BenchmarkYearSalesReport -benchtime 1x ./api/reports/
func BenchmarkYearSalesReport(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds a year of one store's sales into PostgreSQL and folds it (minutes at the default volume); run without -short")
	}
	vol := yearVolumeFromEnv(b)
	env := apitest.New(b, apitest.Options{APILimit: auth.PerSecond(1_000_000, 1_000_000)})
	storeID := seedYear(b, env, vol)
	q := url.Values{"from": {yearStart.Format(time.DateOnly)}, "to": {yearStart.AddDate(0, 0, vol.days-1).Format(time.DateOnly)},
		"store_id": {storeID.String()}, "limit": {strconv.Itoa(reports.MaxLimit)}}
	token := env.Login(apitest.AdminUsername, apitest.AdminPassword) // seeding can outlast the token of env (15 minutes)
	nonce := 0
	for _, group := range []string{"day", "product", "category", "cashier", "tender", "hour"} {
		q.Set("group_by", group)
		path := env.Server.URL + "/api/v1/reports/sales?" + q.Encode()
		for _, cold := range []bool{true, false} {
			name := "group_by=" + group + "/warm"
			if cold {
				name = "group_by=" + group + "/cold"
			}
			b.Run(name, func(b *testing.B) {
				next := func() (string, string) {
					if !cold {
						return path, "hit"
					}
					nonce++
					return path + "&bench_nonce=" + strconv.Itoa(nonce), "miss"
				}
				// The first answer is checked and primes the cache of the warm run.
				body := getReport(b, env.Server.Client(), path+primeSuffix(cold, &nonce), token, "miss")
				var out struct {
					Items      []json.RawMessage `json:"items"`
					NextCursor string            `json:"next_cursor"`
				}
				if err := json.Unmarshal(body, &out); err != nil || len(out.Items) == 0 || out.NextCursor != "" {
					b.Fatalf("%s: want every row in one page: %d rows, next cursor %q, %v", path, len(out.Items), out.NextCursor, err)
				}
				var lat []time.Duration
				for b.Loop() {
					u, want := next()
					t0 := time.Now()
					getReport(b, env.Server.Client(), u, token, want)
					lat = append(lat, time.Since(t0))
				}
				reportPercentiles(b, lat)
				b.ReportMetric(float64(len(out.Items)), "rows")
			})
		}
	}
}

// primeSuffix keys the checking request of a cold run apart from the timed ones.
func primeSuffix(cold bool, nonce *int) string {
	if !cold {
		return ""
	}
	*nonce++
	return "&bench_nonce=" + strconv.Itoa(*nonce)
}

// getReport GETs u, fails unless it answers 200 with X-Cache wantCache, and returns the body.
func getReport(b *testing.B, c *http.Client, u, token, wantCache string) []byte {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get(reports.HeaderCache) != wantCache {
		b.Fatalf("GET %s: status %d, X-Cache %q (want 200, %q): %.300s", u, resp.StatusCode, resp.Header.Get(reports.HeaderCache), wantCache, body)
	}
	return body
}

// reportPercentiles reports the nearest-rank p50, p95 and p99 of lat in milliseconds.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	for _, p := range []float64{50, 95, 99} {
		i := max(0, int(math.Ceil(p/100*float64(len(lat))))-1)
		b.ReportMetric(float64(lat[i].Microseconds())/1000, fmt.Sprintf("p%.0f-ms", p))
	}
}
