package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// TestATrustedSaleIsProvenOrDecidedAgain: three processes (handlers with their own snapshots in
// memory) sell on one register of one memstore. A process's second one-shot sale is decided
// on what it holds, without a read, and written whole; a price changed by the other process
// refuses that decision's call, and the sale is read and priced at the new price; a retry of a
// sale the other process wrote, decided again on what this process holds (the very state the
// original was decided on), is not taken for the original's answer: it is read, and answered
// with what was stored, once; and after a refused call the process reads for a while.
func TestATrustedSaleIsProvenOrDecidedAgain(t *testing.T) {
	w := newSaleWorld(t)
	ms := w.store.Store.(*memstore.Store)
	process := func() (*commands.Sales, *commands.Handler) {
		h := commands.NewHandler(ms, w.h.Codec(), commands.Options{
			Snapshots: commands.NewCachedSnapshots(commands.NewMemorySnapshots(), 50, 1000)})
		return commands.NewSales(h, time.Now), h
	}
	a, ha := process()
	b, hb := process()
	ctx := context.Background()
	sell := func(s *commands.Sales, c commands.CreateSale, cmd commands.Context) commands.SaleResult {
		t.Helper()
		res, err := s.Create(ctx, cmd, c)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	sellNew := func(s *commands.Sales) commands.SaleResult {
		t.Helper()
		c, cmd := oneShot(w)
		return sell(s, c, cmd)
	}

	first := sellNew(b)
	second := sellNew(b)
	if hb.TrustedSales() != 1 || first.Sale.State.ReceiptNumber != 1 || second.Sale.State.ReceiptNumber != 2 {
		t.Fatalf("trusted sales %d, receipts %d and %d: want the second sale trusted, receipts 1 and 2",
			hb.TrustedSales(), first.Sale.State.ReceiptNumber, second.Sale.State.ReceiptNumber)
	}

	// a writes the third sale; b still holds the register and the shift as they were before
	// it, which is what a decided it on. b's retry of it decides the same events again, and
	// must not answer them as its own.
	third, cmd := oneShot(w)
	original := sell(a, third, cmd)
	head, err := ms.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond) // b's clock moves on: a decision of its own would say so
	retry := sell(b, third, cmd)
	if !retry.Replayed || hb.TrustedSales() != 1 || !retry.Sale.State.CompletedAt.Equal(original.Sale.State.CompletedAt) ||
		retry.Sale.State.ReceiptNumber != 3 {
		t.Fatalf("retry on b: replayed %v, trusted sales %d, receipt %d completed %s; want the original's answer (receipt 3, completed %s)",
			retry.Replayed, hb.TrustedSales(), retry.Sale.State.ReceiptNumber, retry.Sale.State.CompletedAt, original.Sale.State.CompletedAt)
	}
	if h, err := ms.HeadPosition(ctx); err != nil || h != head || hb.RefusedTrustedSales() != 1 {
		t.Fatalf("the retry moved the head from %d to %d (%v); refused trusted sales %d, want 1", head, h, err, hb.RefusedTrustedSales())
	}

	// For a while after a refused call b reads the streams it decided on (doubtFor): another
	// process writes them too.
	if fourth := sellNew(b); hb.TrustedSales() != 1 || fourth.Sale.State.ReceiptNumber != 4 {
		t.Fatalf("after the refused retry: trusted sales %d, receipt %d; want 1 and 4", hb.TrustedSales(), fourth.Sale.State.ReceiptNumber)
	}

	// c holds the bread at its price when a changes it; c's next decision, on the old price,
	// is refused by its check, and the sale is read and priced anew.
	c, hc := process()
	sellNew(c)
	if sellNew(c); hc.TrustedSales() != 1 {
		t.Fatalf("c's second sale: trusted sales %d, want 1", hc.TrustedSales())
	}
	if _, err := commands.Execute(ctx, ha, commands.ProductStream(w.bread), commands.ProductAggregate, commands.Context{ID: "reprice"},
		func(s catalog.State) ([]catalog.Event, error) {
			return catalog.Decide(s, catalog.ChangePrice{Price: money.New(199, "EUR")}, time.Now())
		}); err != nil {
		t.Fatal(err)
	}
	repriced := sellNew(c)
	if hc.TrustedSales() != 1 || hc.RefusedTrustedSales() != 1 || repriced.Sale.State.Lines[0].UnitPrice.Amount != 199 ||
		repriced.Sale.State.ReceiptNumber != 7 {
		t.Fatalf("after the price change: trusted sales %d, unit price %d, receipt %d; want 1, 199 and 7",
			hc.TrustedSales(), repriced.Sale.State.Lines[0].UnitPrice.Amount, repriced.Sale.State.ReceiptNumber)
	}
	var _ eventstore.CheckedAtomicAppender = ms
}
