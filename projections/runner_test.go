package projections_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/fanout"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/projections"
)

func itemsFilter() eventstore.Filter { return eventstore.Filter{StreamPrefixes: []string{"item-"}} }

func TestRunnerAppliesBatchesAndWaitFor(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	appendItems(t, store, 0, 150)
	reg := prometheus.NewRegistry()
	cfg := fastConfig(pool, store, &items{name: "items", version: 1, filter: itemsFilter()})
	cfg.Registerer = reg
	r := start(t, cfg)

	last := appendItems(t, store, 150, 100) // live events after the history
	waitFor(t, r.Runner, "items", last)
	if got, want := dump(t, pool, itemsQuery), expectedItems(250); !equal(got, want) {
		t.Fatalf("items view = %v, want %v", got, want)
	}
	if got := dump(t, pool, `SELECT count(*), count(DISTINCT position) FROM items.applied`); got[0] != "250 250" {
		t.Fatalf("applied (count, distinct) = %s, want 250 250", got[0])
	}

	// An event the projection does not select: the idle check moves the checkpoint over it.
	other := appendOther(t, store)
	waitFor(t, r.Runner, "items", other)

	// A replica that does not run the projection answers WaitFor by polling the table.
	follower, err := projections.New(fastConfig(pool, store, &items{name: "items", version: 1, filter: itemsFilter()}))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, follower, "items", other)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := follower.WaitFor(ctx, "items", other+1000); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitFor past the head = %v, want deadline exceeded", err)
	}
	if err := follower.WaitFor(ctx, "nope", 1); !errors.Is(err, projections.ErrUnknownProjection) {
		t.Fatalf("WaitFor unknown = %v, want ErrUnknownProjection", err)
	}

	st := statusOf(t, follower, "items")
	if len(st) != 1 || st[0].Status != "running" || !st[0].Live || st[0].Position != other || st[0].LagEvents != 0 || st[0].Version != 1 {
		t.Fatalf("status = %+v, want one live running generation at %d without lag", st, other)
	}
	if schema, err := follower.ActiveSchema(context.Background(), "items"); err != nil || schema != st[0].Schema {
		t.Fatalf("ActiveSchema = %q, %v; want %q", schema, err, st[0].Schema)
	}
	if got, _ := gathered(t, reg, "pos_projection_events_applied_total"); got != 250 {
		t.Fatalf("events applied metric = %v, want 250", got)
	}
	if _, n := gathered(t, reg, "pos_projection_batch_duration_seconds"); n == 0 {
		t.Fatal("no batch duration metrics")
	}

	r.stop(t)
	st = statusOf(t, follower, "items")
	if st[0].Status != "stopped" {
		t.Fatalf("status after stop = %q, want stopped", st[0].Status)
	}
	if st[0].Position != other {
		t.Fatalf("position after stop = %d, want %d", st[0].Position, other)
	}
	head := appendItems(t, store, 250, 5)
	st = statusOf(t, follower, "items")
	if st[0].LagEvents != 5 || st[0].LagSeconds <= 0 || st[0].HeadPosition != head {
		t.Fatalf("lag = %d events, %v s, head %d; want 5 events, > 0 s, head %d", st[0].LagEvents, st[0].LagSeconds, st[0].HeadPosition, head)
	}
}

// gathered sums the counters and gauges of a metric family and counts its series.
func gathered(t *testing.T, reg *prometheus.Registry, name string) (float64, int) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		sum := 0.0
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
		return sum, len(mf.GetMetric())
	}
	return 0, 0
}

func TestLeadershipOneRunnerAtATimeAndTakeover(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	tr := &tracker{}
	newCfg := func(id string) projections.Config {
		cfg := fastConfig(pool, store, &items{name: "items", version: 1, filter: itemsFilter(),
			delay: 5 * time.Millisecond, tracker: tr, runner: id})
		cfg.ID, cfg.BatchSize = id, 10
		return cfg
	}
	a := start(t, newCfg("a"))
	appendItems(t, store, 0, 100)
	eventually(t, "runner a applies", func() bool { _, by := tr.snapshot(); return by["a"] > 0 })
	b := start(t, newCfg("b"))
	last := appendItems(t, store, 100, 100)
	waitFor(t, b.Runner, "items", last)
	time.Sleep(500 * time.Millisecond) // b polls the lock meanwhile
	if _, by := tr.snapshot(); by["b"] != 0 {
		t.Fatalf("runner b applied %d batches while a held the lock", by["b"])
	}

	a.stop(t) // closes a's lock connection: b takes over
	last = appendItems(t, store, 200, 200)
	waitFor(t, b.Runner, "items", last)
	maxActive, by := tr.snapshot()
	if maxActive != 1 {
		t.Fatalf("%d Apply calls ran at once, want 1", maxActive)
	}
	if by["a"] == 0 || by["b"] == 0 {
		t.Fatalf("batches by runner = %v, want both", by)
	}
	if got, want := dump(t, pool, itemsQuery), expectedItems(400); !equal(got, want) {
		t.Fatalf("items = %v, want %v", got, want)
	}
	if got := dump(t, pool, `SELECT count(*), count(DISTINCT position) FROM items.applied`); got[0] != "400 400" {
		t.Fatalf("applied (count, distinct) = %s, want 400 400", got[0])
	}
}

func TestLeaderConnectionKilledFencesAndHandsOver(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	tr := &tracker{}
	newCfg := func(id string) projections.Config {
		cfg := fastConfig(pool, store, &items{name: "items", version: 1, filter: itemsFilter(),
			delay: 20 * time.Millisecond, tracker: tr, runner: id})
		cfg.ID, cfg.BatchSize = id, 5
		return cfg
	}
	a := start(t, newCfg("a"))
	appendItems(t, store, 0, 50)
	eventually(t, "runner a applies", func() bool { _, by := tr.snapshot(); return by["a"] > 0 })
	b := start(t, newCfg("b"))
	time.Sleep(300 * time.Millisecond) // b is contending
	// Kill a's lock session as a crashed host would lose it; a keeps its pool and may be mid-batch.
	// Only idle sessions: on a loaded machine b may still be migrating, inside a transaction
	// that holds the migration's advisory lock, and killing that would stop b instead.
	if _, err := pool.Exec(context.Background(), `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
		JOIN pg_stat_activity a ON a.pid = l.pid AND a.state = 'idle'
		WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`); err != nil {
		t.Fatal(err)
	}
	last := appendItems(t, store, 50, 150)
	waitFor(t, b.Runner, "items", last)
	eventually(t, "b applies", func() bool { _, by := tr.snapshot(); return by["b"] > 0 })
	maxActive, _ := tr.snapshot()
	if maxActive != 1 {
		t.Fatalf("%d Apply calls ran at once, want 1", maxActive)
	}
	waitFor(t, a.Runner, "items", last)
	if got := dump(t, pool, `SELECT count(*), count(DISTINCT position) FROM items.applied`); got[0] != "200 200" {
		t.Fatalf("applied (count, distinct) = %s, want 200 200", got[0])
	}
	if got, want := dump(t, pool, itemsQuery), expectedItems(200); !equal(got, want) {
		t.Fatalf("items = %v, want %v", got, want)
	}
}

// TestIdleCheckpointFollowsTheSharedReader: fed by eventstore/fanout, a live projection moves
// its checkpoint over the events it does not select from what its subscription has looked at,
// so WaitFor returns for them as with a store of its own.
func TestIdleCheckpointFollowsTheSharedReader(t *testing.T) {
	pool, mem := newPool(t), memstore.New()
	shared := fanout.New(mem, fanout.Options{})
	t.Cleanup(func() { _ = shared.Close() })
	appendItems(t, mem, 0, 20)
	r := start(t, fastConfig(pool, shared, &items{name: "items", version: 1, filter: itemsFilter()}))
	last := appendItems(t, mem, 20, 20)
	waitFor(t, r.Runner, "items", last)
	var other eventstore.Position
	for range 5 {
		other = appendOther(t, mem)
	}
	waitFor(t, r.Runner, "items", other)
	if got := dump(t, pool, `SELECT count(*), count(DISTINCT position) FROM items.applied`); got[0] != "40 40" {
		t.Fatalf("applied (count, distinct) = %s, want 40 40", got[0])
	}
	checkpointAt(t, r.Runner, "items", other) // the first idle commit is not held back
}

// checkpointAt waits until the committed checkpoint of name (Status) is at pos.
func checkpointAt(t *testing.T, r *projections.Runner, name string, pos eventstore.Position) {
	t.Helper()
	eventually(t, fmt.Sprintf("the checkpoint of %s at %d", name, pos), func() bool {
		st := statusOf(t, r, name)
		return len(st) == 1 && st[0].Position == pos
	})
}

// TestAnIdleProjectionCommitsAtABoundedRate: while the log moves with events a live projection
// does not select, waiters in the process see it caught up at once, but its checkpoint is
// committed at most once per IdleCommitInterval; an event it selects is committed at once.
func TestAnIdleProjectionCommitsAtABoundedRate(t *testing.T) {
	pool, mem := newPool(t), memstore.New()
	shared := fanout.New(mem, fanout.Options{})
	t.Cleanup(func() { _ = shared.Close() })
	cfg := fastConfig(pool, shared, &items{name: "items", version: 1, filter: itemsFilter()})
	cfg.IdleCommitInterval = time.Hour
	r := start(t, cfg)
	waitFor(t, r.Runner, "items", appendItems(t, mem, 0, 5))
	first := appendOther(t, mem)
	waitFor(t, r.Runner, "items", first)
	checkpointAt(t, r.Runner, "items", first) // the first idle commit is not held back
	var other eventstore.Position
	for range 5 {
		other = appendOther(t, mem)
	}
	waitFor(t, r.Runner, "items", other)
	time.Sleep(10 * cfg.IdleInterval) // ten idle ticks with the log moved
	if st := statusOf(t, r.Runner, "items"); len(st) != 1 || st[0].Position != first {
		t.Fatalf("status = %+v, want the checkpoint still at %d (one idle commit per hour)", st, first)
	}
	item := appendItems(t, mem, 5, 1)
	waitFor(t, r.Runner, "items", item)
	checkpointAt(t, r.Runner, "items", item)
}
