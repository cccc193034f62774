package policies_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/fanout"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

// products returns n product IDs, distinct from prodA and prodB.
func products(n int) []uuid.UUID {
	out := make([]uuid.UUID, n)
	for i := range out {
		out[i] = uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "product-%d", i))
	}
	return out
}

// TestSalesOfManyProductsMoveTheirStockInFewTransactions: a batch of sales that moves many
// stock streams (a shop's catalogue, not three products) is written in one atomic append per
// batch, not one append and one transaction per stream: the 40 movements of 20 sales of two
// products each share a handful of PostgreSQL transactions (xmin), and each is written once.
// The policy's store is the shared $all reader wrapping pgstore, as in posd.
func TestSalesOfManyProductsMoveTheirStockInFewTransactions(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	s, err := pgstore.Open(ctx, url, pgstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	shared := fanout.New(s, fanout.Options{})
	t.Cleanup(func() { _ = shared.Close() })
	h, _ := newHandlerOn(t, shared)
	const sales = 20
	ps := products(2 * sales)
	for i := range sales {
		completeSaleOf(t, h, i, saleLine{ps[2*i], "1"}, saleLine{ps[2*i+1], "3"})
	}
	start(t, policies.Config{Handler: h, Checkpoints: policies.NewMemoryCheckpoints()})
	waitFor(t, "every product's movement", func() bool {
		for i, p := range ps {
			if q, _ := level(t, h, p); q != quantity.FromInt(-1-2*int64(i%2)) {
				return false
			}
		}
		return true
	})
	for _, p := range ps {
		if _, n := level(t, h, p); n != 1 {
			t.Fatalf("product %s has %d stock events, want 1", p, n)
		}
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var events, txs int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT xmin::text) FROM events WHERE type = $1`, stock.TypeStockMoved).Scan(&events, &txs); err != nil {
		t.Fatal(err)
	}
	if events != 2*sales || txs > 4 {
		t.Errorf("%d movements in %d transactions; want %d in at most 4 (one per batch, not one per stream)", events, txs, 2*sales)
	}
}

// TestAStreamMovedByAnotherWriterFallsBackWithoutLossOrRepeat: when another writer (a goods
// receipt) appends to one of a batch's stock streams after the policy last saw it, the batch's
// atomic append fails as a whole; its movements are then written stream by stream, every one
// once, and the receipt stays.
func TestAStreamMovedByAnotherWriterFallsBackWithoutLossOrRepeat(t *testing.T) {
	onEveryStore(t, aStreamMovedByAnotherWriterFallsBackWithoutLossOrRepeat)
}

func aStreamMovedByAnotherWriterFallsBackWithoutLossOrRepeat(t *testing.T, s eventstore.Store) {
	h, _ := newHandlerOn(t, s)
	ps := products(6)
	lines := make([]saleLine, len(ps))
	for i, p := range ps {
		lines[i] = saleLine{p, "1"}
	}
	const first, second = 5, 5
	for i := range first {
		completeSaleOf(t, h, i, lines...)
	}
	start(t, policies.Config{Handler: h, Checkpoints: policies.NewMemoryCheckpoints()})
	atLeast := func(want int64) func() bool {
		return func() bool {
			for i, p := range ps {
				if q, _ := level(t, h, p); i != 3 && q != quantity.FromInt(-want) {
					return false
				}
			}
			return true
		}
	}
	waitFor(t, "the first sales' movements", atLeast(first))
	waitFor(t, "the first sales' movements of product 3", func() bool {
		q, _ := level(t, h, ps[3])
		return q == quantity.FromInt(-first)
	})

	// Another writer receives 100 of product 3: the policy's cached state of its stream is
	// one event behind now.
	moved := commands.StockStream(storeID, ps[3])
	_, err := commands.Execute(context.Background(), h, moved, commands.StockAggregate, commands.Context{ID: "receipt-1"},
		func(st stock.State) ([]stock.Event, error) {
			return stock.Decide(st, stock.Receive{Key: stock.Key{LocationID: storeID, ProductID: ps[3], MovementID: "receipt-1"},
				Quantity: quantity.FromInt(100)}, t0)
		})
	if err != nil {
		t.Fatal(err)
	}
	for i := range second {
		completeSaleOf(t, h, first+i, lines...)
	}
	waitFor(t, "every sale's movements", atLeast(first+second))
	waitFor(t, "the moved stream's movements", func() bool {
		q, _ := level(t, h, ps[3])
		return q == quantity.FromInt(100-first-second)
	})
	for i, p := range ps {
		q, n := level(t, h, p)
		want, events := quantity.FromInt(-first-second), first+second
		if i == 3 {
			want, events = quantity.FromInt(100-first-second), first+second+1
		}
		if q != want || n != events {
			t.Errorf("product %d: on hand %s in %d events, want %s in %d", i, q, n, want, events)
		}
	}
}
