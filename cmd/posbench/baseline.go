package main

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Baseline is the raw INSERT rate of the PostgreSQL server posd uses, measured in the same run:
// one autocommit single-row INSERT of a sale-sized JSON document per round trip, from as many
// connections as the run has clients. It is the bar the sale rate is stated against.
type Baseline struct {
	Clients   int       `json:"clients"`
	Inserts   uint64    `json:"inserts"`
	PerSecond float64   `json:"per_second"`
	LatencyMs Quantiles `json:"latency_ms"`
}

// maxBaseline bounds the baseline's run: a rate it holds for 30 s is its rate.
const maxBaseline = 30 * time.Second

// baselineRow is about the size of a one-shot three-line sale's largest event.
var baselineRow = `{"lines":[` + strings.Repeat(`{"id":"00000000-0000-0000-0000-000000000000","product_id":"00000000-0000-0000-0000-000000000000","quantity":"1"},`, 2) +
	`{"id":"00000000-0000-0000-0000-000000000000","product_id":"00000000-0000-0000-0000-000000000000","quantity":"1"}]}`

// runBaseline inserts rows into a table of its own in the database at url from clients
// connections for d, then drops the table.
func runBaseline(ctx context.Context, url string, clients int, d time.Duration) (*Baseline, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("baseline database url: %w", err)
	}
	cfg.MaxConns = int32(clients)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("baseline database: %w", err)
	}
	defer pool.Close()
	table := "posbench_raw_baseline_" + randomHex(4)
	if _, err := pool.Exec(ctx, `CREATE TABLE `+table+` (id bigserial PRIMARY KEY, stream text NOT NULL, data jsonb NOT NULL)`); err != nil {
		return nil, fmt.Errorf("baseline table: %w", err)
	}
	defer func() { _, _ = pool.Exec(context.WithoutCancel(ctx), `DROP TABLE `+table) }()
	var (
		n    atomic.Uint64
		mu   sync.Mutex
		lats []time.Duration
		errs atomic.Pointer[error]
		wg   sync.WaitGroup
	)
	stop := time.Now().Add(d)
	began := time.Now()
	for c := range clients {
		wg.Go(func() {
			var mine []time.Duration
			for i := 0; time.Now().Before(stop) && ctx.Err() == nil; i++ {
				t := time.Now()
				if _, err := pool.Exec(ctx, `INSERT INTO `+table+` (stream, data) VALUES ($1, $2)`, fmt.Sprintf("raw-%d-%d", c, i), baselineRow); err != nil {
					errs.CompareAndSwap(nil, &err)
					return
				}
				mine = append(mine, time.Since(t))
				n.Add(1)
			}
			mu.Lock()
			lats = append(lats, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if e := errs.Load(); e != nil {
		return nil, fmt.Errorf("baseline insert: %w", *e)
	}
	elapsed := time.Since(began)
	return &Baseline{Clients: clients, Inserts: n.Load(), PerSecond: math.Round(float64(n.Load())/elapsed.Seconds()*10) / 10,
		LatencyMs: quantiles(lats)}, nil
}
