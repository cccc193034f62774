package policies_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/internal/poll"
)

var (
	t0      = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	storeID = uuid.MustParse("00000000-0000-0000-0000-0000000000a1")
	prodA   = uuid.MustParse("00000000-0000-0000-0000-0000000000b1")
	prodB   = uuid.MustParse("00000000-0000-0000-0000-0000000000b2")
)

func newHandler(t *testing.T) (*commands.Handler, eventstore.Store) {
	t.Helper()
	return newHandlerOn(t, memstore.New())
}

// newHandlerOn returns a handler on s with the test store created.
func newHandlerOn(t *testing.T, s eventstore.Store) (*commands.Handler, eventstore.Store) {
	t.Helper()
	codec := eventstore.NewCodec()
	domain.RegisterWriteSide(codec)
	h := commands.NewHandler(s, codec, commands.Options{MaxRetries: 64})
	ctx := context.Background()
	// The test store refuses negative stock, so that the policy's negative_stock flag shows:
	// sales recorded there anyway (they already happened) are flagged, not refused.
	settings := store.DefaultSettings()
	settings.AllowNegativeStock = false
	_, err := commands.Execute(ctx, h, commands.StoreStream(storeID), commands.StoreAggregate, commands.Context{ID: "store"},
		func(s store.State) ([]store.Event, error) {
			return store.Decide(s, store.CreateStore{StoreID: storeID, Code: "S1", Name: "One", Currency: "EUR", Timezone: "UTC", Settings: settings}, t0)
		})
	if err != nil {
		t.Fatal(err)
	}
	return h, s
}

// completeSale appends a completed sale of qa of product A and qb of product B (tracked).
func completeSale(t *testing.T, h *commands.Handler, n int, qa, qb string) {
	t.Helper()
	completeSaleOf(t, h, n, saleLine{prodA, qa}, saleLine{prodB, qb})
}

// saleLine is a quantity of a tracked product in a sale of completeSaleOf.
type saleLine struct {
	product  uuid.UUID
	quantity string
}

// completeSaleOf appends completed sale n of lines.
func completeSaleOf(t *testing.T, h *commands.Handler, n int, lines ...saleLine) {
	t.Helper()
	saleID := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "sale-%d", n))
	sh := sale.ShiftInfo{ID: uuid.NewSHA1(saleID, []byte("shift")), RegisterID: uuid.NewSHA1(saleID, []byte("reg")), OpenedAt: t0}
	st := sale.StoreInfo{ID: storeID, Currency: "EUR", PricesIncludeTax: true, Rounding: money.HalfUp}
	cmds := []sale.Command{sale.OpenSale{SaleID: saleID, Store: st, RegisterID: sh.RegisterID, Shift: sh}}
	for i, l := range lines {
		p := sale.Product{ID: l.product, SKU: l.product.String()[:8], Active: true, Price: money.New(100, "EUR"), TaxRateBP: 900, TrackStock: true}
		cmds = append(cmds, sale.AddLine{LineID: uuid.NewSHA1(saleID, fmt.Appendf(nil, "line-%d", i)), Product: p, Quantity: quantity.MustParse(l.quantity)})
	}
	_, s, err := sale.DecideAll(sale.State{}, cmds, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tot, _, _ := s.Priced()
	cmds = append(cmds, sale.AddPayment{Payment: sale.Payment{ID: uuid.NewSHA1(saleID, []byte("pay")), Tender: sale.TenderCard, Amount: tot.Total}},
		sale.CompleteSale{ReceiptNumber: int64(n + 1), Shift: sh})
	_, err = commands.Execute(context.Background(), h, commands.SaleStream(saleID), commands.SaleAggregate, commands.Context{ID: "sale-" + saleID.String()},
		func(s sale.State) ([]sale.Event, error) {
			evs, _, err := sale.DecideAll(s, cmds, t0.Add(time.Hour))
			return evs, err
		})
	if err != nil {
		t.Fatal(err)
	}
}

func level(t *testing.T, h *commands.Handler, product uuid.UUID) (quantity.Quantity, int) {
	t.Helper()
	evs, err := h.Store().ReadStream(context.Background(), commands.StockStream(storeID, product), eventstore.Forwards, 0, 10000)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return 0, 0
	}
	if err != nil {
		t.Fatal(err)
	}
	l, err := commands.Load(context.Background(), h, commands.StockStream(storeID, product), commands.StockAggregate)
	if err != nil {
		t.Fatal(err)
	}
	return l.State.OnHand(), len(evs)
}

// start runs a policy runner until the returned stop is called.
func start(t *testing.T, cfg policies.Config) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- policies.Run(ctx, cfg) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	poll.Eventually(t, 10*time.Second, ok, poll.Is(what))
}

func TestTwoRunnersWriteEachMovementOnce(t *testing.T) {
	onEveryStore(t, twoRunnersWriteEachMovementOnce)
}

func twoRunnersWriteEachMovementOnce(t *testing.T, s eventstore.Store) {
	h, _ := newHandlerOn(t, s)
	const sales = 20
	for i := range sales {
		completeSale(t, h, i, "1", "2")
	}
	// Two replicas with their own checkpoints both handle every sale. The head is read before
	// they start: read after, it may already include the movements they wrote, beyond the last
	// sale a checkpoint can reach (the runners checkpoint the sales they select).
	head, _ := h.Store().HeadPosition(context.Background())
	cpA, cpB := policies.NewMemoryCheckpoints(), policies.NewMemoryCheckpoints()
	start(t, policies.Config{Handler: h, Checkpoints: cpA})
	start(t, policies.Config{Handler: h, Checkpoints: cpB})
	waitFor(t, "both runners", func() bool {
		a, _ := cpA.Load(context.Background(), policies.SaleStock)
		b, _ := cpB.Load(context.Background(), policies.SaleStock)
		return a >= head-10 && b >= head-10 && a > 0 && b > 0
	})
	waitFor(t, "stock", func() bool {
		qa, _ := level(t, h, prodA)
		qb, _ := level(t, h, prodB)
		return qa == quantity.FromInt(-sales) && qb == quantity.FromInt(-2*sales)
	})
	qa, na := level(t, h, prodA)
	qb, nb := level(t, h, prodB)
	if qa != quantity.FromInt(-sales) || na != sales || qb != quantity.FromInt(-2*sales) || nb != sales {
		t.Fatalf("A %s in %d events, B %s in %d events; want -%d and -%d in %d each", qa, na, qb, nb, sales, 2*sales, sales)
	}
	// A sale that took stock below zero where the store forbids it is flagged, not refused.
	evs, _ := h.Store().ReadStream(context.Background(), commands.StockStream(storeID, prodA), eventstore.Forwards, 0, 1)
	m, _ := h.Codec().Decode(evs[0].Type, evs[0].Data)
	if mv := m.(stock.StockMoved); len(mv.Flags) != 1 || mv.Flags[0] != stock.FlagNegativeStock || mv.Kind != stock.KindSale {
		t.Fatalf("movement %+v", mv)
	}
	if evs[0].Metadata.CausationID == "" || evs[0].Metadata.Extra["policy"] != policies.SaleStock {
		t.Fatalf("metadata %+v", evs[0].Metadata)
	}
}

func TestRestartResumesFromCheckpointWithoutLossOrDuplicates(t *testing.T) {
	onEveryStore(t, restartResumesFromCheckpointWithoutLossOrDuplicates)
}

func restartResumesFromCheckpointWithoutLossOrDuplicates(t *testing.T, s eventstore.Store) {
	h, _ := newHandlerOn(t, s)
	cp := policies.NewMemoryCheckpoints()
	const sales = 60
	var written atomic.Int64
	go func() {
		for i := range sales {
			completeSale(t, h, i, "1", "1")
			written.Add(1)
		}
	}()
	stop := start(t, policies.Config{Handler: h, Checkpoints: cp})
	// Kill it mid-stream.
	waitFor(t, "some progress", func() bool { q, _ := level(t, h, prodA); return q <= quantity.FromInt(-5) })
	stop()
	mid, _ := cp.Load(context.Background(), policies.SaleStock)
	waitFor(t, "all sales written", func() bool { return written.Load() == sales })
	if q, _ := level(t, h, prodA); q == quantity.FromInt(-sales) {
		t.Log("the runner finished before it was stopped; the restart only re-checks")
	}
	start(t, policies.Config{Handler: h, Checkpoints: cp})
	waitFor(t, "all stock", func() bool {
		qa, _ := level(t, h, prodA)
		qb, _ := level(t, h, prodB)
		return qa == quantity.FromInt(-sales) && qb == quantity.FromInt(-sales)
	})
	time.Sleep(50 * time.Millisecond)
	for _, p := range []uuid.UUID{prodA, prodB} {
		if q, n := level(t, h, p); q != quantity.FromInt(-sales) || n != sales {
			t.Fatalf("%s: %s in %d movements, want -%d in %d", p, q, n, sales, sales)
		}
	}
	// The checkpoint reaches the last sale (saved at most once per CheckpointInterval, so
	// up to a second after the last movement), and moved on from where the runner was stopped
	// unless that runner had already handled every sale.
	last := lastSalePosition(t, h)
	var end eventstore.Position
	waitFor(t, "the checkpoint at the last sale", func() bool {
		end, _ = cp.Load(context.Background(), policies.SaleStock)
		return end >= last
	})
	if mid < last && end <= mid {
		t.Fatalf("checkpoint %d (stopped at %d), the last sale is at %d", end, mid, last)
	}
}

// lastSalePosition is the position of the last completed sale in $all.
func lastSalePosition(t *testing.T, h *commands.Handler) eventstore.Position {
	t.Helper()
	var last eventstore.Position
	for {
		evs, err := h.Store().ReadAll(context.Background(), last, 1000, eventstore.Filter{TypePrefixes: []string{sale.TypeSaleCompleted}})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return last
		}
		last = evs[len(evs)-1].Position
	}
}

func TestFailingFollowUpIsRetriedAndCheckpointWaits(t *testing.T) {
	h, _ := newHandler(t)
	completeSale(t, h, 1, "1", "1")
	var calls atomic.Int32
	var handled atomic.Bool
	cp := policies.NewMemoryCheckpoints()
	p := policies.Policy{Name: "flaky", Filter: eventstore.Filter{TypePrefixes: []string{sale.TypeSaleCompleted}},
		Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
			n := calls.Add(1)
			if c, _ := cp.Load(ctx, "flaky"); c != 0 {
				t.Error("the checkpoint moved before the follow-up succeeded")
			}
			if n == 2 {
				panic("boom") // the recoverer turns it into an error
			}
			if n < 7 {
				return errors.New("dependency down")
			}
			handled.Store(true)
			return nil
		}}
	start(t, policies.Config{Handler: h, Checkpoints: cp, Policies: []policies.Policy{p}, Retries: 2, RetryInterval: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	waitFor(t, "the follow-up", handled.Load)
	waitFor(t, "the checkpoint", func() bool { c, _ := cp.Load(context.Background(), "flaky"); return c > 0 })
	if calls.Load() != 7 {
		t.Fatalf("handled after %d calls, want 7", calls.Load())
	}
}

func TestConfigIsValidated(t *testing.T) {
	if _, err := policies.New(policies.Config{}); err == nil {
		t.Fatal("an empty config must be refused")
	}
	h, _ := newHandler(t)
	dup := policies.Policy{Name: "x", Handle: func(context.Context, eventstore.RecordedEvent) error { return nil }}
	if _, err := policies.New(policies.Config{Handler: h, Checkpoints: policies.NewMemoryCheckpoints(), Policies: []policies.Policy{dup, dup}}); err == nil {
		t.Fatal("a policy registered twice must be refused")
	}
}

// TestAReplicaBehindSnapshotsWritesNoMovementTwice: a second replica handles every sale again
// after the first wrote their movements and the stock streams were snapshotted past them; it
// finds each movement among the events after its sale and writes none again.
func TestAReplicaBehindSnapshotsWritesNoMovementTwice(t *testing.T) {
	onEveryStore(t, aReplicaBehindSnapshotsWritesNoMovementTwice)
}

func aReplicaBehindSnapshotsWritesNoMovementTwice(t *testing.T, s eventstore.Store) {
	plain, store := newHandlerOn(t, s)
	snaps := commands.NewMemorySnapshots()
	h := commands.NewHandler(store, plain.Codec(), commands.Options{MaxRetries: 64, Snapshots: snaps})
	const sales = 250
	for i := range sales {
		completeSale(t, h, i, "1", "1")
	}
	first := policies.NewMemoryCheckpoints()
	stop := start(t, policies.Config{Handler: h, Checkpoints: first})
	// Streams are written in parallel: wait for both, and for the checkpoint after them.
	last := lastSalePosition(t, h)
	waitFor(t, "the first replica", func() bool {
		_, na := level(t, h, prodA)
		_, nb := level(t, h, prodB)
		c, _ := first.Load(context.Background(), policies.SaleStock)
		return na == sales && nb == sales && c >= last
	})
	stop()
	if snaps.Saves() == 0 {
		t.Fatal("no stock snapshot was saved")
	}
	done, _ := first.Load(context.Background(), policies.SaleStock)
	cp := policies.NewMemoryCheckpoints()
	start(t, policies.Config{Handler: h, Checkpoints: cp})
	waitFor(t, "the second replica", func() bool { p, _ := cp.Load(context.Background(), policies.SaleStock); return p >= done })
	for _, p := range []uuid.UUID{prodA, prodB} {
		if q, n := level(t, h, p); q != quantity.FromInt(-sales) || n != sales {
			t.Fatalf("%s: %s in %d movements, want -%d in %d", p, q, n, sales, sales)
		}
	}
}
