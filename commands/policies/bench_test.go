package policies_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgcheckpoint"
	"github.com/odata-pos/pos/internal/pgsnapshot"
	"github.com/odata-pos/pos/internal/pgtest"
)

// benchEnv returns the integer environment variable name, or def.
func benchEnv(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// BenchmarkSaleStockDrainsABacklog seeds POS_BENCH_SALES (default 2,000) completed 3-line
// sales of POS_BENCH_PRODUCTS (default 50) stock-tracked products in one store on the
// PostgreSQL event store, then measures the policies (as posd runs them: PostgreSQL
// checkpoints and snapshots) draining them. A drain that takes longer than
// POS_BENCH_DRAIN_SECONDS (default 600) stops there and reports what it handled.
//
//	POS_BENCH_SALES=100000 go test -run '^$' -bench SaleStockDrains -benchtime 1x ./commands/policies
func BenchmarkSaleStockDrainsABacklog(b *testing.B) {
	sales := benchEnv(b, "POS_BENCH_SALES", 2000)
	products := benchEnv(b, "POS_BENCH_PRODUCTS", 50)
	limit := time.Duration(benchEnv(b, "POS_BENCH_DRAIN_SECONDS", 600)) * time.Second
	for range b.N {
		b.StopTimer()
		url := pgtest.NewDatabase(b)
		ctx := context.Background()
		es, err := pgstore.Open(ctx, url, pgstore.Options{MaxConns: 24, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		codec := eventstore.NewCodec()
		domain.RegisterWriteSide(codec)
		cps, err := pgcheckpoint.New(ctx, pool)
		if err != nil {
			b.Fatal(err)
		}
		snaps, err := pgsnapshot.New(ctx, pool)
		if err != nil {
			b.Fatal(err)
		}
		h := commands.NewHandler(es, codec, commands.Options{Snapshots: snaps})
		positions := seedSales(b, es, codec, sales, products)
		b.StartTimer()
		start := time.Now()
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- policies.Run(runCtx, policies.Config{Handler: h, Checkpoints: cps}) }()
		handled := 0
		for handled < sales && time.Since(start) < limit {
			time.Sleep(20 * time.Millisecond)
			cp, err := cps.Load(ctx, policies.SaleStock)
			if err != nil {
				b.Fatal(err)
			}
			handled = sort.Search(len(positions), func(i int) bool { return positions[i] > cp })
		}
		elapsed := time.Since(start)
		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
		b.ReportMetric(float64(handled)/elapsed.Seconds(), "sales/s")
		b.ReportMetric(float64(handled), "handled")
		b.ReportMetric(elapsed.Seconds(), "drain-s")
		pool.Close()
		_ = es.Close()
	}
}

// seedSales appends n completed 3-line sales over products products (16 writers) and returns
// their positions in $all, in order.
func seedSales(b *testing.B, es eventstore.Store, codec *eventstore.Codec, n, products int) []eventstore.Position {
	b.Helper()
	store := uuid.New()
	prods := make([]uuid.UUID, products)
	for i := range prods {
		prods[i] = uuid.New()
	}
	positions := make([]eventstore.Position, n)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < n; i += 16 {
				id := uuid.New()
				c := sale.SaleCompleted{SaleID: id, StoreID: store, ReceiptNumber: int64(i + 1), CompletedAt: time.Now().UTC(),
					Totals: sale.Totals{Total: money.New(300, "EUR")}}
				for l := range 3 {
					c.Lines = append(c.Lines, sale.PricedLine{Line: sale.Line{ID: uuid.New(), ProductID: prods[(i*3+l)%products],
						Quantity: quantity.FromInt(1), TrackStock: true}})
				}
				name, data, err := codec.Encode(c)
				if err != nil {
					errs <- err
					return
				}
				res, err := es.Append(context.Background(), commands.SaleStream(id), eventstore.NoStream,
					[]eventstore.EventData{{ID: uuid.New(), Type: name, Data: data, Metadata: eventstore.Metadata{CorrelationID: id.String()}}})
				if err != nil {
					errs <- err
					return
				}
				positions[i] = res.Position
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	sort.Slice(positions, func(i, j int) bool { return positions[i] < positions[j] })
	return positions
}
