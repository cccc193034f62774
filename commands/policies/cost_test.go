package policies_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
)

// countingStore counts the events its ReadStream returns.
type countingStore struct {
	eventstore.Store
	read atomic.Int64
}

func (s *countingStore) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, max int) ([]eventstore.RecordedEvent, error) {
	evs, err := s.Store.ReadStream(ctx, stream, dir, from, max)
	s.read.Add(int64(len(evs)))
	return evs, err
}

// TestDrainingABacklogReadsNoStockStreamBackToItsSales: a policy draining a backlog of sales
// reads each stock stream about once, not back from its snapshot to each sale (which grew
// with the backlog: 400 sales of two products read some 160,000 events).
func TestDrainingABacklogReadsNoStockStreamBackToItsSales(t *testing.T) {
	plain, store := newHandler(t)
	counted := &countingStore{Store: store}
	h := commands.NewHandler(counted, plain.Codec(), commands.Options{MaxRetries: 64, Snapshots: commands.NewMemorySnapshots()})
	const sales = 400
	for i := range sales {
		completeSale(t, h, i, "1", "1")
	}
	counted.read.Store(0)
	start(t, policies.Config{Handler: h, Checkpoints: policies.NewMemoryCheckpoints()})
	waitFor(t, "the policy", func() bool {
		_, na := level(t, plain, prodA)
		_, nb := level(t, plain, prodB)
		return na == sales && nb == sales
	})
	if n := counted.read.Load(); n > 2*sales {
		t.Fatalf("the policy read %d events of streams to record %d sales", n, sales)
	}
}

// TestMovementsWrittenBeforeSourceMarksAreNotWrittenAgain: a stock stream whose sale movements
// carry no source position (written before the marks existed, or by an older replica) and was
// snapshotted past them; a replica handling those sales again finds each among the events
// after its sale, and records the later sales with their marks.
func TestMovementsWrittenBeforeSourceMarksAreNotWrittenAgain(t *testing.T) {
	onEveryStore(t, movementsWrittenBeforeSourceMarksAreNotWrittenAgain)
}

func movementsWrittenBeforeSourceMarksAreNotWrittenAgain(t *testing.T, s eventstore.Store) {
	plain, store := newHandlerOn(t, s)
	h := commands.NewHandler(store, plain.Codec(), commands.Options{MaxRetries: 64, Snapshots: commands.NewMemorySnapshots()})
	const sales, legacy = 300, 150
	for i := range sales {
		completeSale(t, h, i, "1", "1")
	}
	evs, err := store.ReadAll(context.Background(), eventstore.Start, 100_000, eventstore.Filter{TypePrefixes: []string{sale.TypeSaleCompleted}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs[:legacy] {
		writeWithoutSource(t, h, e)
	}
	start(t, policies.Config{Handler: h, Checkpoints: policies.NewMemoryCheckpoints()})
	// Streams are written in parallel: wait for both (a movement written twice would keep
	// its stream below -sales and time the wait out).
	waitFor(t, "the policy", func() bool {
		qa, _ := level(t, h, prodA)
		qb, _ := level(t, h, prodB)
		return qa == quantity.FromInt(-sales) && qb == quantity.FromInt(-sales)
	})
	for _, p := range []uuid.UUID{prodA, prodB} {
		if q, n := level(t, h, p); q != quantity.FromInt(-sales) || n != sales {
			t.Fatalf("%s: %s in %d movements, want -%d in %d", p, q, n, sales, sales)
		}
	}
}

// writeWithoutSource records a sale's movements as the policy did before source marks.
func writeWithoutSource(t *testing.T, h *commands.Handler, e eventstore.RecordedEvent) {
	t.Helper()
	v, err := h.Codec().Decode(e.Type, e.Data)
	if err != nil {
		t.Fatal(err)
	}
	s := v.(sale.SaleCompleted)
	for i, l := range s.Lines {
		k := stock.Key{LocationID: s.StoreID, ProductID: l.ProductID, MovementID: "sale:" + s.SaleID.String() + ":" + l.ID.String()}
		_, err := commands.Execute(context.Background(), h, commands.StockStream(s.StoreID, l.ProductID), commands.StockAggregate,
			policies.FollowUp(policies.SaleStock, e, strconv.Itoa(i)), func(st stock.State) ([]stock.Event, error) {
				return stock.Decide(st, stock.RecordSale{Key: k, Quantity: l.Quantity}, s.CompletedAt)
			})
		if err != nil {
			t.Fatal(err)
		}
	}
}
