package reports_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/user"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readmodels"
	"github.com/odata-pos/pos/projections/reports"
)

// project folds evs into a fresh database in parts: for each part it appends the part's
// events, runs a new runner with a new report projection (nothing kept in memory from the
// part before) with batches of batchSize until it has caught up, and stops it. It returns the
// dump of the tables of every read model (the reports and the operational ones).
func project(t *testing.T, evs []scenarioEvent, batchSize, parts int) string {
	t.Helper()
	return projectDumping(t, evs, batchSize, parts, dumpTables)
}

// projectDumping is project returning what dump makes of the tables.
func projectDumping(t *testing.T, evs []scenarioEvent, batchSize, parts int, dump func(testing.TB, *pgxpool.Pool) string) string {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	// A fixed clock: events without an occurred time fall back to their recorded time, which
	// must be the same in every run compared.
	es := memstore.NewWithClock(func() time.Time { return time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC) })
	for i := range parts {
		last := appendScenario(t, es, evs[i*len(evs)/parts:(i+1)*len(evs)/parts])
		run(t, pool, es, batchSize, last)
	}
	return dump(t, pool)
}

// run runs a runner of a new report projection until it has applied last, then stops it.
func run(t *testing.T, pool *pgxpool.Pool, es eventstore.Store, batchSize int, last eventstore.Position) {
	t.Helper()
	codec := eventstore.NewCodec()
	domain.RegisterWriteSide(codec)
	user.Register(codec)
	all := append(reports.All(), readmodels.All(codec)...)
	r, err := projections.New(projections.Config{Pool: pool, Store: es, Projections: all, Registerer: prometheus.NewRegistry(),
		BatchSize: batchSize, BatchWait: time.Millisecond, PollInterval: 50 * time.Millisecond, IdleInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Minute) // seven read models in batches of 1, under -race
	defer wcancel()
	var werr error
	for _, p := range all {
		if werr = r.WaitFor(wctx, p.Name(), last); werr != nil {
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runner: %v", err)
	}
	if werr != nil {
		t.Fatalf("wait for %d: %v", last, werr)
	}
}

// diffLines describes the lines only in want and only in got (at most a few of each).
func diffLines(want, got string) string {
	count := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		count[l]--
	}
	var b strings.Builder
	shown := 0
	for l, c := range count {
		if c != 0 && shown < 20 {
			sign := "-want "
			if c < 0 {
				sign = "+got  "
			}
			b.WriteString(sign + l + "\n")
			shown++
		}
	}
	return b.String()
}

// TestTablesDoNotDependOnBatchesOrRestarts folds the same events in one run of large batches,
// in tiny batches, and in parts with a new runner and projection for each part (a restart from
// the checkpoint): every table of every read model (reports, catalog, stock, sales, returns,
// shifts, users) must end the same, so a rebuild, a replay and a live fold agree.
func TestTablesDoNotDependOnBatchesOrRestarts(t *testing.T) {
	evs := scenario(t, 1, 3000)
	want := project(t, evs, 500, 1)
	for _, c := range []struct {
		name             string
		batchSize, parts int
	}{
		{"batches of 1", 1, 1},
		{"batches of 7 in 3 runs", 7, 3},
		{"batches of 64 in 5 runs", 64, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := project(t, evs, c.batchSize, c.parts); got != want {
				t.Errorf("tables differ from one run in batches of 500:\n%s", diffLines(want, got))
			}
		})
	}
}
