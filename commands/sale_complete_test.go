package commands_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/sale"
)

// TestAOneShotSaleResumesAfterALostAnswerAtEveryStep: a one-call sale (complete: true) whose
// shift, register or sale step was written but whose answer was lost is sent again; the retry
// finishes it with the number reserved the first time, and the shift counts its cash once.
func TestAOneShotSaleResumesAfterALostAnswerAtEveryStep(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	for i, prefix := range []string{commands.ShiftPrefix, commands.RegisterPrefix, commands.SalePrefix} {
		cs := &countingStore{Store: w.store, prefix: prefix}
		sales := commands.NewSales(commands.NewHandler(cs, w.h.Codec(), commands.Options{Snapshots: commands.NewMemorySnapshots()}), time.Now)
		c := w.cashSale()
		c.Complete = true
		cmd := commands.Context{ID: "create:" + c.SaleID.String(), UserID: "u"}
		cs.loseAck.Store(true)
		if _, err := sales.Create(ctx, cmd, c); !errors.Is(err, errLost) {
			t.Fatalf("step %s: err = %v, want the lost answer", prefix, err)
		}
		res, err := sales.Create(ctx, cmd, c)
		if err != nil {
			t.Fatalf("retry after a lost answer at %s: %v", prefix, err)
		}
		l, err := sales.Get(ctx, c.SaleID)
		if err != nil {
			t.Fatal(err)
		}
		if l.State.Status != sale.StatusCompleted || l.State.ReceiptNumber != int64(i+1) || res.Revision != l.Revision {
			t.Fatalf("sale %d: %s with receipt %d at revision %d (answered %d), want completed with %d",
				i, l.State.Status, l.State.ReceiptNumber, l.Revision, res.Revision, i+1)
		}
	}
	sh, err := w.shifts.Get(ctx, w.shift)
	if err != nil {
		t.Fatal(err)
	}
	if sh.State.SalesCount != 3 || sh.State.CashSales.Amount != 3*362 {
		t.Fatalf("shift counted %d sales, %d cash; want 3 and %d", sh.State.SalesCount, sh.State.CashSales.Amount, 3*362)
	}
}

// TestConcurrentOneShotSalesTakeGapFreeNumbers: sales completed at once on one register, with
// snapshots, take the numbers 1..n, each once.
func TestConcurrentOneShotSalesTakeGapFreeNumbers(t *testing.T) {
	for _, cached := range []bool{false, true} {
		t.Run(fmt.Sprintf("cached=%v", cached), func(t *testing.T) { concurrentOneShotSales(t, cached) })
	}
}

func concurrentOneShotSales(t *testing.T, cached bool) {
	w, sales, _, _ := snapshotWorldCached(t, cached)
	ctx := context.Background()
	const n = 120
	errs := make(chan error, n)
	ids := make(chan [16]byte, n)
	for range 8 {
		go func() {
			for range n / 8 {
				c := w.cashSale()
				c.Complete = true
				_, err := sales.Create(ctx, commands.Context{ID: "create:" + c.SaleID.String(), UserID: "u"}, c)
				errs <- err
				ids <- c.SaleID
			}
		}()
	}
	seen := map[int64]bool{}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		l, err := sales.Get(ctx, <-ids)
		if err != nil {
			t.Fatal(err)
		}
		if seen[l.State.ReceiptNumber] || l.State.ReceiptNumber < 1 || l.State.ReceiptNumber > n {
			t.Fatalf("receipt number %d given twice or out of 1..%d", l.State.ReceiptNumber, n)
		}
		seen[l.State.ReceiptNumber] = true
	}
}
