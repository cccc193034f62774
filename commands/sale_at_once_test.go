package commands_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// atomicStore is the sale world's memstore seen with its AtomicAppender: it counts appends and
// atomic calls, and can lose the answer of its next atomic call after writing, or run another
// writer just before it.
type atomicStore struct {
	*memstore.Store
	appends, atomics atomic.Int64
	loseAck          atomic.Bool
	before           func()
}

func (a *atomicStore) Append(ctx context.Context, stream string, exp eventstore.ExpectedRevision, evs []eventstore.EventData) (eventstore.AppendResult, error) {
	a.appends.Add(1)
	return a.Store.Append(ctx, stream, exp, evs)
}

func (a *atomicStore) AppendAtomic(ctx context.Context, appends []eventstore.StreamAppend) ([]eventstore.AppendResult, error) {
	a.atomics.Add(1)
	if f := a.before; f != nil {
		a.before = nil
		f()
	}
	out, err := a.Store.AppendAtomic(ctx, appends)
	if err == nil && a.loseAck.CompareAndSwap(true, false) {
		return nil, errLost
	}
	return out, err
}

// atomicSales returns w's sales over its memstore with atomic appends (w.sales appends step by
// step: its flakyStore has no AppendAtomic).
func atomicSales(w *saleWorld) (*commands.Sales, *atomicStore) {
	as := &atomicStore{Store: w.store.Store.(*memstore.Store)}
	return commands.NewSales(commands.NewHandler(as, w.h.Codec(), commands.Options{}), time.Now), as
}

// written returns the events appended from position from on, as (stream kind, type, command
// ID with the sale's ID taken out): what a sale leaves, whatever its IDs.
func written(t *testing.T, s eventstore.Store, from eventstore.Position, saleID string) []string {
	t.Helper()
	evs, err := s.ReadAll(context.Background(), from, 1000, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		kind, _, _ := strings.Cut(e.Stream, "-")
		out[i] = kind + " " + e.Type + " " + strings.ReplaceAll(e.Metadata.CommandID, saleID, "S")
	}
	return out
}

func oneShot(w *saleWorld) (commands.CreateSale, commands.Context) {
	c := w.cashSale()
	c.Complete = true
	return c, commands.Context{ID: "create:" + c.SaleID.String(), UserID: "u"}
}

// restated are the sale events a one-shot sale written at once leaves out: its completion
// repeats them.
var restated = []string{sale.TypeLineAdded, sale.TypePaymentAdded, sale.TypeCheckoutStarted}

// withoutRestated returns the events of written but the sale's events its completion restates.
func withoutRestated(events []string) []string {
	return slices.DeleteFunc(slices.Clone(events), func(e string) bool {
		return slices.ContainsFunc(restated, func(t string) bool { return strings.Contains(e, " "+t+" ") })
	})
}

// TestAOneShotSaleIsOneAtomicAppendOfTheStepsEvents: with a store that appends atomically, a
// one-shot sale is one call that writes, in $all, the same events in the same order, with the
// same commands, as the four steps one after the other, but the lines, payments and checkout
// that its completion restates; the sale it leaves is the same, and it answers as they do.
func TestAOneShotSaleIsOneAtomicAppendOfTheStepsEvents(t *testing.T) {
	w := newSaleWorld(t)
	sales, as := atomicSales(w)
	ctx := context.Background()
	head := func() eventstore.Position {
		p, err := as.HeadPosition(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	c1, cmd1 := oneShot(w)
	from := head()
	if _, err := w.sales.Create(ctx, cmd1, c1); err != nil {
		t.Fatal(err)
	}
	stepwise := written(t, as, from, c1.SaleID.String())

	c2, cmd2 := oneShot(w)
	from = head()
	res, err := sales.Create(ctx, cmd2, c2)
	if err != nil {
		t.Fatal(err)
	}
	atOnce := written(t, as, from, c2.SaleID.String())
	if as.atomics.Load() != 1 || as.appends.Load() != 0 {
		t.Fatalf("%d atomic calls and %d appends, want one atomic call", as.atomics.Load(), as.appends.Load())
	}
	if strings.Join(atOnce, "\n") != strings.Join(withoutRestated(stepwise), "\n") || len(atOnce) != 4 {
		t.Fatalf("written at once:\n%s\nstep by step:\n%s", strings.Join(atOnce, "\n"), strings.Join(stepwise, "\n"))
	}
	l := saleOf(t, w.sales, c2.SaleID)
	// The sale as loaded from its two events is the sale the steps leave, but its IDs (its
	// own, its lines' and its payments'), times and receipt number.
	l1 := saleOf(t, w.sales, c1.SaleID)
	same := l.State
	same.ID, same.OpenedAt, same.CompletedAt, same.ReceiptNumber = l1.State.ID, l1.State.OpenedAt, l1.State.CompletedAt, l1.State.ReceiptNumber
	same.Lines, same.Payments = slices.Clone(same.Lines), slices.Clone(same.Payments)
	for i := range min(len(same.Lines), len(l1.State.Lines)) {
		same.Lines[i].ID = l1.State.Lines[i].ID
	}
	for i := range min(len(same.Payments), len(l1.State.Payments)) {
		same.Payments[i].ID = l1.State.Payments[i].ID
	}
	if !reflect.DeepEqual(same, l1.State) || len(l.State.Lines) == 0 || len(l.State.Payments) == 0 {
		t.Fatalf("sale written at once:\n%+v\nstep by step:\n%+v", l.State, l1.State)
	}
	if l.State.Status != sale.StatusCompleted || l.State.ReceiptNumber != 2 || res.Revision != l.Revision || res.Position != l.Position ||
		res.Sale.State.ReceiptNumber != 2 || len(res.Events) != 1 {
		t.Fatalf("sale %s with receipt %d at revision %d; answered revision %d position %d (stored %d), %d events",
			l.State.Status, l.State.ReceiptNumber, l.Revision, res.Revision, res.Position, l.Position, len(res.Events))
	}
	// The same command again is answered from the stored sale and writes nothing.
	from = head()
	again, err := sales.Create(ctx, cmd2, c2)
	if err != nil || again.Revision != res.Revision || head() != from {
		t.Fatalf("repeated create: revision %d (%v), head %d → %d", again.Revision, err, from, head())
	}
}

// TestAOneShotSaleWrittenAtOnceResumesAfterALostAnswer: the atomic call wrote the sale but
// its answer was lost; the retry answers the completed sale, with its one receipt number and
// its cash counted once.
func TestAOneShotSaleWrittenAtOnceResumesAfterALostAnswer(t *testing.T) {
	w := newSaleWorld(t)
	sales, as := atomicSales(w)
	ctx := context.Background()
	c, cmd := oneShot(w)
	as.loseAck.Store(true)
	if _, err := sales.Create(ctx, cmd, c); !errors.Is(err, errLost) {
		t.Fatalf("create: %v, want the lost answer", err)
	}
	res, err := sales.Create(ctx, cmd, c)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if res.Sale.State.Status != sale.StatusCompleted || res.Sale.State.ReceiptNumber != 1 {
		t.Fatalf("retry answered %s with receipt %d", res.Sale.State.Status, res.Sale.State.ReceiptNumber)
	}
	sh, err := w.shifts.Get(ctx, w.shift)
	if err != nil {
		t.Fatal(err)
	}
	if sh.State.SalesCount != 1 || sh.State.CashSales.Amount != 362 {
		t.Fatalf("shift counted %d sales, %d cash; want 1 and 362", sh.State.SalesCount, sh.State.CashSales.Amount)
	}
}

// TestAOneShotSaleRacedByAnotherTillGoesStepByStep: another till completes a sale on the
// same register between this sale's read and its atomic append; the call writes nothing and
// the steps one after the other complete the sale with the next number.
func TestAOneShotSaleRacedByAnotherTillGoesStepByStep(t *testing.T) {
	w := newSaleWorld(t)
	sales, as := atomicSales(w)
	ctx := context.Background()
	other, otherCmd := oneShot(w)
	as.before = func() {
		if _, err := w.sales.Create(ctx, otherCmd, other); err != nil {
			t.Errorf("the other till: %v", err)
		}
	}
	c, cmd := oneShot(w)
	res, err := sales.Create(ctx, cmd, c)
	if err != nil {
		t.Fatal(err)
	}
	// The refused call, then the four steps, of which the shift's and the register's, decided
	// on the reads the other till made stale, lose their race once and are decided again.
	if as.atomics.Load() != 1 || as.appends.Load() != 6 {
		t.Fatalf("%d atomic calls and %d appends, want the refused call and the four steps (two of them twice)", as.atomics.Load(), as.appends.Load())
	}
	if saleOf(t, w.sales, other.SaleID).State.ReceiptNumber != 1 || res.Sale.State.ReceiptNumber != 2 {
		t.Fatalf("receipts %d and %d, want 1 and 2", saleOf(t, w.sales, other.SaleID).State.ReceiptNumber, res.Sale.State.ReceiptNumber)
	}
	evs, err := as.ReadStream(ctx, commands.SaleStream(c.SaleID), eventstore.Forwards, 0, 100)
	if err != nil || len(evs) != 5 {
		t.Fatalf("the sale's stream holds %d events (%v), want the five the steps wrote (opened, line, payment, checkout, completed)", len(evs), err)
	}
}

// TestAOneShotSaleWithADiscountRuleKeepsItsEvents: a one-shot sale with a sale discount has an
// event its completion does not restate (the rule as applied, with what it gave then, and who
// approved it when someone had to): written at once, it keeps every event the steps write.
func TestAOneShotSaleWithADiscountRuleKeepsItsEvents(t *testing.T) {
	w := newSaleWorld(t)
	sales, as := atomicSales(w)
	ctx := context.Background()
	c, cmd := oneShot(w)
	c.Discount = &sale.Discount{PercentBP: 100}
	if _, err := sales.Create(ctx, cmd, c); err != nil {
		t.Fatal(err)
	}
	evs, err := as.ReadStream(ctx, commands.SaleStream(c.SaleID), eventstore.Forwards, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	want := []string{sale.TypeSaleOpened, sale.TypeLineAdded, sale.TypeDiscountApplied, sale.TypePaymentAdded, sale.TypeCheckoutStarted, sale.TypeSaleCompleted}
	if !slices.Equal(types, want) || as.atomics.Load() != 1 {
		t.Fatalf("%d atomic calls; the sale stream holds %v, want %v", as.atomics.Load(), types, want)
	}
	if l := saleOf(t, w.sales, c.SaleID); l.State.Discount.PercentBP != 100 || len(l.State.Lines) != 1 {
		t.Fatalf("sale loaded with discount %+v and %d lines", l.State.Discount, len(l.State.Lines))
	}
}
