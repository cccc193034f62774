package sales_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// countingStore counts the round trips a request makes to the event store.
type countingStore struct {
	eventstore.Store
	reads, appends atomic.Int64
}

func (c *countingStore) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, n int) ([]eventstore.RecordedEvent, error) {
	c.reads.Add(1)
	return c.Store.ReadStream(ctx, stream, dir, from, n)
}

// ReadStreams makes countingStore a MultiReader: one round trip for all of reads, as
// pgstore's.
func (c *countingStore) ReadStreams(ctx context.Context, reads []eventstore.StreamRead) ([]eventstore.StreamPage, error) {
	c.reads.Add(1)
	return eventstore.ReadStreams(ctx, c.Store, reads, 1)
}

func (c *countingStore) Append(ctx context.Context, stream string, exp eventstore.ExpectedRevision, evs []eventstore.EventData) (eventstore.AppendResult, error) {
	c.appends.Add(1)
	return c.Store.Append(ctx, stream, exp, evs)
}

// roundTrips serves one request and returns its status and the reads and appends it made.
func (c *countingStore) roundTrips(t *testing.T, router http.Handler, method, path string, body any) (int, int64, int64) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	reads, appends := c.reads.Load(), c.appends.Load()
	router.ServeHTTP(rec, req)
	return rec.Code, c.reads.Load() - reads, c.appends.Load() - appends
}

// TestTheSalePathMakesNoNeedlessRoundTrips bounds the event store round trips of the sale
// routes (issue 10): a one-shot three-line sale reads its store, register, shift, (not
// finding it) sale, products and their tax code in one multi-stream read (the tax code of a
// product sold before), and appends four times (sale, shift, register, sale: see
// commands.Sales.Complete); adding a line reads the sale once (the route's own check), then
// the store, the product and its tax code in one round trip, and appends once. No answer
// reads the sale it just wrote; a tax code's reservation is read once per process. The sales
// of a batch read their store, products and tax codes once for all: each sale reads in one
// round trip.
func TestTheSalePathMakesNoNeedlessRoundTrips(t *testing.T) {
	cs := &countingStore{Store: memstore.New()}
	hs := newHarness(t, cs, 1)
	// store, register, shift, sale, three products and the tax code.
	const oneShotReads, oneShotAppends = 1, 4
	for i := range 2 { // the first sale also finds the tax code's stream
		status, reads, appends := cs.roundTrips(t, hs.router, http.MethodPost, "/api/v1/sales", hs.oneShotBody(0))
		if status != http.StatusCreated || (i > 0 && (reads > oneShotReads || appends > oneShotAppends)) {
			t.Fatalf("one-shot sale: %d with %d reads and %d appends, want 201 with at most %d and %d",
				status, reads, appends, oneShotReads, oneShotAppends)
		}
	}

	cart := hs.oneShotBody(0)
	cart["complete"], cart["payments"] = false, nil
	if status, _, _ := cs.roundTrips(t, hs.router, http.MethodPost, "/api/v1/sales", cart); status != http.StatusCreated {
		t.Fatalf("cart: %d", status)
	}
	// the sale; the store, the product and its tax code.
	const lineReads, lineAppends = 1 + 1, 1
	line := map[string]any{"id": uuid.New(), "product_id": hs.products[1], "quantity": 2}
	status, reads, appends := cs.roundTrips(t, hs.router, http.MethodPost, "/api/v1/sales/"+cart["id"].(uuid.UUID).String()+"/lines", line)
	if status != http.StatusOK || reads > lineReads || appends > lineAppends {
		t.Fatalf("added line: %d with %d reads and %d appends, want 200 with at most %d and %d",
			status, reads, appends, lineReads, lineAppends)
	}

	const n = 10
	batch := make([]map[string]any, n)
	for i := range batch {
		batch[i] = hs.oneShotBody(0)
	}
	// the first sale: with its register, shift and sale the store, three products and the tax
	// code; each other sale its register, shift and sale.
	const batchReads, batchAppends = n, n * 4
	status, reads, appends = cs.roundTrips(t, hs.router, http.MethodPost, "/api/v1/sales/batch", map[string]any{"sales": batch})
	if status != http.StatusOK || reads > batchReads || appends > batchAppends {
		t.Fatalf("batch of %d: %d with %d reads and %d appends, want 200 with at most %d and %d",
			n, status, reads, appends, batchReads, batchAppends)
	}
}

// atomicCountingStore is a countingStore that appends atomically, counting its atomic calls.
type atomicCountingStore struct {
	*countingStore
	atomics atomic.Int64
}

func (a *atomicCountingStore) AppendAtomic(ctx context.Context, appends []eventstore.StreamAppend) ([]eventstore.AppendResult, error) {
	a.atomics.Add(1)
	return a.Store.(eventstore.AtomicAppender).AppendAtomic(ctx, appends)
}

// TestABatchIsOneReadAndOneWrite: where the store appends atomically, a batch of one-shot
// sales reads what they are decided on in one multi-stream read and writes them in one
// atomic call.
func TestABatchIsOneReadAndOneWrite(t *testing.T) {
	as := &atomicCountingStore{countingStore: &countingStore{Store: memstore.New()}}
	hs := newHarness(t, as, 2)
	// The tax code's reservation, read once per process, then its stream.
	if status, _, _ := as.roundTrips(t, hs.router, http.MethodPost, "/api/v1/sales", hs.oneShotBody(0)); status != http.StatusCreated {
		t.Fatalf("first sale: %d", status)
	}
	const n = 20
	batch := make([]map[string]any, n)
	for i := range batch {
		batch[i] = hs.oneShotBody(i % 2)
	}
	atomics := as.atomics.Load()
	status, reads, appends := as.roundTrips(t, hs.router, http.MethodPost, "/api/v1/sales/batch", map[string]any{"sales": batch})
	if status != http.StatusOK || reads != 1 || appends != 0 || as.atomics.Load()-atomics != 1 {
		t.Fatalf("batch of %d: %d with %d reads, %d appends and %d atomic calls, want 200 with 1 read and 1 atomic call",
			n, status, reads, appends, as.atomics.Load()-atomics)
	}
}

// gatedStore holds every product stream read, while armed, until want of them are in flight
// (or a second has passed), and records the most it saw in flight at once.
type gatedStore struct {
	eventstore.Store
	armed          atomic.Bool
	want           int64
	inFlight, most atomic.Int64
	all            chan struct{}
}

func (g *gatedStore) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, n int) ([]eventstore.RecordedEvent, error) {
	if g.armed.Load() && strings.HasPrefix(stream, commands.ProductPrefix) {
		now := g.inFlight.Add(1)
		for m := g.most.Load(); now > m && !g.most.CompareAndSwap(m, now); m = g.most.Load() {
		}
		if now == g.want {
			close(g.all)
		}
		select {
		case <-g.all:
		case <-time.After(time.Second):
		}
		defer g.inFlight.Add(-1)
	}
	return g.Store.ReadStream(ctx, stream, dir, from, n)
}

// TestASaleReadsItsProductsAtTheSameTime: a new sale's distinct products are read at the same
// time (with the rest of what it refers to), not one after the other, so a three-line sale
// waits for one product read, not three.
func TestASaleReadsItsProductsAtTheSameTime(t *testing.T) {
	gs := &gatedStore{Store: memstore.New(), want: 3, all: make(chan struct{})}
	hs := newHarness(t, gs, 1)
	gs.armed.Store(true)
	rec := httptest.NewRecorder()
	b, err := json.Marshal(hs.oneShotBody(0))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/sales", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	hs.router.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated || gs.most.Load() != 3 {
		t.Fatalf("sale: %d with at most %d product reads in flight, want 201 with all 3 at once", rec.Code, gs.most.Load())
	}
}
