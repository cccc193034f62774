package projections_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/projections"
)

// query reads the stable view in a loop until stop, counting failures and checking that the
// number of applied events never goes backwards (queries never see a half-built generation).
type query struct {
	ok, failed, backwards atomic.Int64
	lastErr               atomic.Value
}

func (q *query) run(ctx context.Context, pool *pgxpool.Pool) {
	var prev int64
	for ctx.Err() == nil {
		var n int64
		err := pool.QueryRow(ctx, `SELECT coalesce(sum(count), 0) FROM items.items`).Scan(&n)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			q.failed.Add(1)
			q.lastErr.Store(err.Error())
		default:
			q.ok.Add(1)
			if n < prev {
				q.backwards.Add(1)
			}
			prev = n
		}
	}
}

func TestRebuildWhileQueryingSwapsWithoutFailedQueries(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	appendItems(t, store, 0, 600)
	cfg := fastConfig(pool, store, &items{name: "items", version: 1, filter: itemsFilter(), delay: 5 * time.Millisecond})
	cfg.BatchSize = 20
	r := start(t, cfg)
	last := appendItems(t, store, 600, 10)
	waitFor(t, r.Runner, "items", last)
	before := statusOf(t, r.Runner, "items")[0]

	ctx, cancel := context.WithCancel(context.Background())
	var q query
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { q.run(ctx, pool) })
	}
	if err := r.Rebuild(context.Background(), "items"); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if err := r.Rebuild(context.Background(), "items"); err == nil {
		t.Fatal("second rebuild while one runs: want ErrRebuildInProgress")
	}
	eventually(t, "rebuild runs beside the live generation", func() bool {
		s := statusOf(t, r.Runner, "items")
		return len(s) == 2 && s[1].Status == "rebuilding" && s[1].Position > 0
	})
	// Writes keep arriving while the rebuild runs; the live generation keeps applying them.
	last = appendItems(t, store, 610, 90)
	waitFor(t, r.Runner, "items", last)
	eventually(t, "swap", func() bool {
		s := statusOf(t, r.Runner, "items")
		return len(s) == 1 && s[0].Schema != before.Schema
	})
	last = appendItems(t, store, 700, 10)
	waitFor(t, r.Runner, "items", last)
	cancel()
	wg.Wait()

	if q.failed.Load() != 0 || q.backwards.Load() != 0 || q.ok.Load() == 0 {
		t.Fatalf("queries: %d ok, %d failed (last: %v), %d went backwards", q.ok.Load(), q.failed.Load(), q.lastErr.Load(), q.backwards.Load())
	}
	if got, want := dump(t, pool, itemsQuery), expectedItems(710); !equal(got, want) {
		t.Fatalf("items after rebuild = %v, want %v", got, want)
	}
	if got := dump(t, pool, `SELECT count(*), count(DISTINCT position) FROM items.applied`); got[0] != "710 710" {
		t.Fatalf("applied (count, distinct) = %s, want 710 710", got[0])
	}
	if got := dump(t, pool, `SELECT count(*) FROM pg_namespace WHERE nspname = '`+before.Schema+`'`); got[0] != "0" {
		t.Fatalf("old schema %s still exists", before.Schema)
	}
	t.Logf("%d queries during the rebuild, none failed", q.ok.Load())
}

func TestVersionBumpRebuildsAtStart(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	last := appendItems(t, store, 0, 300)
	r1 := start(t, fastConfig(pool, store, &items{name: "items", version: 1, filter: itemsFilter()}))
	waitFor(t, r1.Runner, "items", last)
	r1.stop(t)

	// A deploy with version 2: the old generation stays readable (frozen) until the new one is live.
	r2 := start(t, fastConfig(pool, store, &items{name: "items", version: 2, filter: itemsFilter(), delay: 5 * time.Millisecond}))
	eventually(t, "version 2 is live", func() bool {
		s := statusOf(t, r2.Runner, "items")
		return len(s) == 1 && s[0].Version == 2 && s[0].Status == "running"
	})
	last = appendItems(t, store, 300, 20)
	waitFor(t, r2.Runner, "items", last)
	if got, want := dump(t, pool, itemsQuery), expectedItems(320); !equal(got, want) {
		t.Fatalf("items after the version bump = %v, want %v", got, want)
	}
	if schema, _ := r2.ActiveSchema(context.Background(), "items"); schema != "items__v2_g2" {
		t.Fatalf("active schema = %q, want items__v2_g2", schema)
	}
	if got := dump(t, pool, `SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'items%'`); got[0] != "items,items__v2_g2" {
		t.Fatalf("schemas = %v, want the stable one and version 2 only", got)
	}
}

func TestRebuildUnknownOrNotStarted(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	r, err := projections.New(fastConfig(pool, store, &items{name: "items", version: 1, filter: itemsFilter()}))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.Rebuild(context.Background(), "nope"); err == nil {
		t.Fatal("rebuild of an unknown projection: want an error")
	}
	if err := r.Rebuild(context.Background(), "items"); err == nil {
		t.Fatal("rebuild of a projection never started: want an error")
	}
}
