package commands_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// batchOf returns n one-shot cash sales of w, every other one on the register and shift
// other (when set).
func batchOf(w *saleWorld, n int, other *till) []commands.BatchSale {
	out := make([]commands.BatchSale, n)
	for i := range out {
		c, cmd := oneShot(w)
		if other != nil && i%2 == 1 {
			c.RegisterID, c.ShiftID = other.reg, other.shift
		}
		out[i] = commands.BatchSale{Cmd: cmd, Sale: c}
	}
	return out
}

// till is a second register of w's store with an open shift.
type till struct{ reg, shift uuid.UUID }

func newTill(t *testing.T, w *saleWorld) till {
	t.Helper()
	tl := till{reg: uuid.New(), shift: uuid.New()}
	ctx := context.Background()
	if err := run(ctx, w.h, commands.RegisterStream(tl.reg), commands.RegisterAggregate, func(s register.State) ([]register.Event, error) {
		return register.Decide(s, register.CreateRegister{RegisterID: tl.reg, StoreID: w.st, Code: "R2"}, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.shifts.Open(ctx, commands.Context{ID: "open:" + tl.shift.String(), UserID: "u"},
		commands.OpenShift{ShiftID: tl.shift, RegisterID: tl.reg, OpeningFloat: money.New(0, "EUR")}); err != nil {
		t.Fatal(err)
	}
	return tl
}

// writtenAs returns the events appended from position from on as written does, with every ID
// of names (a sale's, a register's, a shift's) replaced by its name: what a batch leaves,
// whatever its IDs.
func writtenAs(t *testing.T, s eventstore.Store, from eventstore.Position, names map[string]string) []string {
	t.Helper()
	evs, err := s.ReadAll(context.Background(), from, 10000, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		line := e.Stream + " " + e.Type + " " + e.Metadata.CommandID + " " + e.Metadata.UserID
		for id, name := range names {
			line = strings.ReplaceAll(line, id, name)
		}
		out[i] = line
	}
	return out
}

// namesOf names the sales of batch S0, S1…, and the registers and shifts of tills R0, R1….
func namesOf(batch []commands.BatchSale, tills ...till) map[string]string {
	names := map[string]string{}
	for i, bs := range batch {
		names[bs.Sale.SaleID.String()] = fmt.Sprint("S", i)
	}
	for i, tl := range tills {
		names[tl.reg.String()], names[tl.shift.String()] = fmt.Sprint("R", i), fmt.Sprint("H", i)
	}
	return names
}

// recordingSales is atomicSales with an observer that records, in order, the events the
// command side reports appended.
func recordingSales(w *saleWorld) (*commands.Sales, *atomicStore, *[]string) {
	as := &atomicStore{Store: w.store.Store.(*memstore.Store)}
	var seen []string
	h := commands.NewHandler(as, w.h.Codec(), commands.Options{Observe: func(events []any, state any) {
		for _, e := range events {
			seen = append(seen, fmt.Sprintf("%T %T", e, state))
		}
	}})
	return commands.NewSales(h, time.Now), as, &seen
}

func head(t *testing.T, s eventstore.Store) eventstore.Position {
	t.Helper()
	p, err := s.HeadPosition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// receipts returns the receipt number each outcome answers, or fails the test on an error.
func receipts(t *testing.T, outs []commands.BatchOutcome) []int64 {
	t.Helper()
	nums := make([]int64, len(outs))
	for i, o := range outs {
		if o.Err != nil {
			t.Fatalf("sale %d: %v", i, o.Err)
		}
		if o.Sale.State.Status != sale.StatusCompleted {
			t.Fatalf("sale %d answered %s", i, o.Sale.State.Status)
		}
		nums[i] = o.Sale.State.ReceiptNumber
	}
	return nums
}

// TestABatchIsOneAtomicAppendOfTheSalesOneByOne: with a store that appends atomically, a
// batch of one-shot sales on two registers is one atomic call that writes, in $all, the
// events the same sales created one by one write (streams, types, commands, users, in the
// same order), tells the observer of them in the same order, and answers each sale as Create
// does, its receipt number following its register's last.
func TestABatchIsOneAtomicAppendOfTheSalesOneByOne(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	main, other := till{reg: w.reg, shift: w.shift}, newTill(t, w)
	sales, as, seen := recordingSales(w)

	const n = 6
	oneByOne := batchOf(w, n, &other)
	from := head(t, as)
	for i, bs := range oneByOne {
		if _, err := sales.Create(ctx, bs.Cmd, bs.Sale); err != nil {
			t.Fatalf("sale %d alone: %v", i, err)
		}
	}
	stepwise := writtenAs(t, as, from, namesOf(oneByOne, main, other))
	seenAlone := slices.Clone(*seen)
	*seen = nil

	batch := batchOf(w, n, &other)
	from, calls := head(t, as), as.atomics.Load()
	outs := sales.NewBatch().CreateAll(ctx, batch)
	if as.atomics.Load()-calls != 1 || as.appends.Load() != 0 {
		t.Fatalf("%d atomic calls and %d appends, want one atomic call", as.atomics.Load()-calls, as.appends.Load())
	}
	atOnce := writtenAs(t, as, from, namesOf(batch, main, other))
	if strings.Join(atOnce, "\n") != strings.Join(stepwise, "\n") {
		t.Fatalf("written by the batch:\n%s\none by one:\n%s", strings.Join(atOnce, "\n"), strings.Join(stepwise, "\n"))
	}
	if !slices.Equal(*seen, seenAlone) {
		t.Fatalf("observed for the batch:\n%s\none by one:\n%s", strings.Join(*seen, "\n"), strings.Join(seenAlone, "\n"))
	}
	// Each register numbers its own receipts: three sales one by one, then three in the batch.
	if got, want := receipts(t, outs), []int64{4, 4, 5, 5, 6, 6}; !slices.Equal(got, want) {
		t.Fatalf("receipts %v, want %v", got, want)
	}
	for i, o := range outs {
		l := saleOf(t, w.sales, batch[i].Sale.SaleID)
		if o.Revision != l.Revision || o.Position != l.Position || o.Sale.Revision != l.Revision || o.Sale.Position != l.Position ||
			len(o.Events) != 1 || l.State.ReceiptNumber != o.Sale.State.ReceiptNumber {
			t.Fatalf("sale %d answered revision %d position %d, stored %d %d", i, o.Revision, o.Position, l.Revision, l.Position)
		}
	}
	sh, err := w.shifts.Get(ctx, w.shift)
	if err != nil {
		t.Fatal(err)
	}
	if sh.State.SalesCount != 6 || sh.State.CashSales.Amount != 6*362 {
		t.Fatalf("shift counted %d sales, %d cash; want 6 and %d", sh.State.SalesCount, sh.State.CashSales.Amount, 6*362)
	}
}

// TestABatchAnswersAFailingSaleAndAReplayAsAlone: a sale refused in the middle of a batch
// gets its own error and writes nothing, a sale already stored is answered from the store
// (its receipt number kept), and the others are written around them with consecutive
// numbers: those before the replay in one atomic call, those after in another.
func TestABatchAnswersAFailingSaleAndAReplayAsAlone(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	sales, as, _ := recordingSales(w)
	stored := batchOf(w, 1, nil)[0]
	if _, err := sales.Create(ctx, stored.Cmd, stored.Sale); err != nil {
		t.Fatal(err)
	}
	batch, refused := batchOf(w, 6, nil), batchOf(w, 2, nil)
	unknown, unpaid := refused[0], refused[1]
	unknown.Sale.Lines = []commands.SaleLine{{LineID: uuid.New(), ProductID: uuid.New(), Quantity: 1000}}
	unpaid.Sale.Payments = nil
	batch = slices.Insert(batch, 1, unknown, unpaid)
	batch = slices.Insert(batch, 5, stored) // S0, unknown, unpaid, S1, S2, stored, S3, S4, S5
	from, calls := head(t, as), as.atomics.Load()
	outs := sales.NewBatch().CreateAll(ctx, batch)
	if outs[1].Err == nil || outs[2].Err == nil {
		t.Fatalf("the unknown product and the unpaid sale were answered %v and %v", outs[1].Err, outs[2].Err)
	}
	outs = slices.Delete(outs, 1, 3)
	if got, want := receipts(t, outs), []int64{2, 3, 4, 1, 5, 6, 7}; !slices.Equal(got, want) {
		t.Fatalf("receipts %v, want %v", got, want)
	}
	if !outs[3].Replayed {
		t.Fatal("the stored sale was not answered as a replay")
	}
	if as.atomics.Load()-calls != 2 || as.appends.Load() != 0 {
		t.Fatalf("%d atomic calls and %d appends, want two atomic calls", as.atomics.Load()-calls, as.appends.Load())
	}
	for _, bs := range []commands.BatchSale{unknown, unpaid} {
		if evs, err := as.ReadStream(ctx, commands.SaleStream(bs.Sale.SaleID), eventstore.Forwards, 0, 10); len(evs) != 0 ||
			err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Fatalf("the refused sale's stream holds %d events (%v), want none", len(evs), err)
		}
	}
	// 6 sales of 2 events (opening and completion: the completion restates the lines,
	// payment and checkout), 1 on the shift and 1 on the register each.
	if got := len(writtenAs(t, as, from, nil)); got != 6*4 {
		t.Fatalf("the batch wrote %d events, want %d", got, 6*4)
	}
}

// TestABatchRacedByAnotherTillGoesOneByOne: another till completes a sale on the register
// between the batch's reads and its atomic append; the call writes nothing and the batch's
// sales are created one by one, with the numbers after the other till's.
func TestABatchRacedByAnotherTillGoesOneByOne(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	sales, as, _ := recordingSales(w)
	other, otherCmd := oneShot(w)
	as.before = func() {
		if _, err := w.sales.Create(ctx, otherCmd, other); err != nil {
			t.Errorf("the other till: %v", err)
		}
	}
	batch := batchOf(w, 5, nil)
	outs := sales.NewBatch().CreateAll(ctx, batch)
	if got, want := receipts(t, outs), []int64{2, 3, 4, 5, 6}; !slices.Equal(got, want) {
		t.Fatalf("receipts %v, want %v", got, want)
	}
	// The refused call, then each sale alone in its own atomic call.
	if as.atomics.Load() != 1+5 {
		t.Fatalf("%d atomic calls, want the refused one and one per sale", as.atomics.Load())
	}
	for _, bs := range batch {
		evs, err := as.ReadStream(ctx, commands.SaleStream(bs.Sale.SaleID), eventstore.Forwards, 0, 100)
		if err != nil || len(evs) != 2 {
			t.Fatalf("a sale's stream holds %d events (%v), want 2 (opening and completion)", len(evs), err)
		}
	}
	sh, err := w.shifts.Get(ctx, w.shift)
	if err != nil {
		t.Fatal(err)
	}
	if sh.State.SalesCount != 6 || sh.State.CashSales.Amount != 6*362 {
		t.Fatalf("shift counted %d sales, %d cash; want 6 and %d", sh.State.SalesCount, sh.State.CashSales.Amount, 6*362)
	}
}

// TestABatchWrittenAtOnceResumesAfterALostAnswer: the atomic call wrote the batch but its
// answer was lost; the sales one by one find them written and answer them, and the batch
// sent again is answered from the store, writing nothing: one receipt number per sale, the
// cash counted once.
func TestABatchWrittenAtOnceResumesAfterALostAnswer(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	sales, as, _ := recordingSales(w)
	batch := batchOf(w, 5, nil)
	as.loseAck.Store(true)
	first := receipts(t, sales.NewBatch().CreateAll(ctx, batch))
	if want := []int64{1, 2, 3, 4, 5}; !slices.Equal(first, want) {
		t.Fatalf("receipts %v, want %v", first, want)
	}
	from := head(t, as)
	again := sales.NewBatch().CreateAll(ctx, batch)
	if got := receipts(t, again); !slices.Equal(got, first) || head(t, as) != from {
		t.Fatalf("sent again: receipts %v, head %d → %d", got, from, head(t, as))
	}
	for i, o := range again {
		if !o.Replayed {
			t.Fatalf("sale %d sent again was not a replay", i)
		}
	}
	sh, err := w.shifts.Get(ctx, w.shift)
	if err != nil {
		t.Fatal(err)
	}
	if sh.State.SalesCount != 5 || sh.State.CashSales.Amount != 5*362 {
		t.Fatalf("shift counted %d sales, %d cash; want 5 and %d", sh.State.SalesCount, sh.State.CashSales.Amount, 5*362)
	}
}

// failingReadStore fails the next read of a sale stream once armed.
type failingReadStore struct {
	*atomicStore
	armed atomic.Bool
}

func (f *failingReadStore) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, n int) ([]eventstore.RecordedEvent, error) {
	if strings.HasPrefix(stream, commands.SalePrefix) && f.armed.CompareAndSwap(true, false) {
		return nil, errLost
	}
	return f.atomicStore.ReadStream(ctx, stream, dir, from, n)
}

// TestABatchWhoseReadFailsReadsEachSaleItself: the batch's one read fails (one of its
// streams could not be read); the sales read their own, as they would alone, instead of all
// answering the failure.
func TestABatchWhoseReadFailsReadsEachSaleItself(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	fs := &failingReadStore{atomicStore: &atomicStore{Store: w.store.Store.(*memstore.Store)}}
	sales := commands.NewSales(commands.NewHandler(fs, w.h.Codec(), commands.Options{}), time.Now)
	fs.armed.Store(true)
	outs := sales.NewBatch().CreateAll(ctx, batchOf(w, 4, nil))
	if got, want := receipts(t, outs), []int64{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Fatalf("receipts %v, want %v", got, want)
	}
	if fs.armed.Load() || fs.atomics.Load() != 1 {
		t.Fatalf("read failed: %v; %d atomic calls, want the failed read and one atomic call", !fs.armed.Load(), fs.atomics.Load())
	}
}
