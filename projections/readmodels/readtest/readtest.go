// Package readtest runs read models for tests: an in-memory event store, a fresh PostgreSQL
// database (the machine's real server) and a projections.Runner applying the given read models
// in-process. Test support only.
package readtest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/user"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/internal/pguuid"
	"github.com/odata-pos/pos/projections"
)

// Codec returns the codec of every write-side event (as commands.NewCodec builds it).
func Codec() *eventstore.Codec {
	c := eventstore.NewCodec()
	domain.RegisterWriteSide(c)
	user.Register(c)
	return c
}

// Env is a running set of read models.
type Env struct {
	t      testing.TB
	Codec  *eventstore.Codec
	Store  *memstore.Store
	Pool   *pgxpool.Pool
	Runner *projections.Runner
	last   eventstore.Position
}

// New starts a runner with the projections that build returns from codec; it stops with t.
func New(t testing.TB, build func(*eventstore.Codec) []projections.Projection) *Env {
	t.Helper()
	pool, err := pguuid.NewPool(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("readtest: pool: %v", err)
	}
	t.Cleanup(pool.Close)
	e := &Env{t: t, Codec: Codec(), Store: memstore.New(), Pool: pool}
	e.Runner = Start(t, pool, e.Store, build(e.Codec)...)
	return e
}

// Start runs a Runner of ps over pool and store until t ends, with short intervals.
func Start(t testing.TB, pool *pgxpool.Pool, store eventstore.Store, ps ...projections.Projection) *projections.Runner {
	t.Helper()
	r, err := projections.New(projections.Config{
		Pool: pool, Store: store, Projections: ps, Registerer: prometheus.NewRegistry(),
		BatchSize: 500, BatchWait: 5 * time.Millisecond, PollInterval: 100 * time.Millisecond,
		IdleInterval: 10 * time.Millisecond, Retries: 1, RetryInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("readtest: runner: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("readtest: run: %v", err)
		}
	})
	return r
}

// Append appends events (domain event values) to stream with metadata md and returns the
// position of the last.
func (e *Env) Append(stream string, md eventstore.Metadata, events ...any) eventstore.Position {
	e.t.Helper()
	data := make([]eventstore.EventData, len(events))
	for i, ev := range events {
		name, body, err := e.Codec.Encode(ev)
		if err != nil {
			e.t.Fatalf("readtest: encode: %v", err)
		}
		data[i] = eventstore.EventData{ID: uuid.New(), Type: name, Data: body, Metadata: md}
	}
	res, err := e.Store.Append(context.Background(), stream, eventstore.Any, data)
	if err != nil {
		e.t.Fatalf("readtest: append to %s: %v", stream, err)
	}
	e.last = res.Position
	return res.Position
}

// Sync waits until every projection named has applied everything appended so far.
func (e *Env) Sync(names ...string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, n := range names {
		if err := e.Runner.WaitFor(ctx, n, e.last); err != nil {
			e.t.Fatalf("readtest: wait for %s at %d: %v", n, e.last, err)
		}
	}
}
