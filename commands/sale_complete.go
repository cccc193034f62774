package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
)

// hotAttempts bounds how often a step on a shared stream (a register's receipt counter) is
// run again after Execute's own retries all lost their races.
const hotAttempts = 40

// Complete finishes a sale in four steps, each idempotent with a command ID derived from the
// sale ID, so a retry — by either route, at any later time — resumes where a failure left off
// and never takes a second receipt number:
//
//  1. sale.StartCheckout (sale stream): checks the sale can complete and locks it;
//  2. shift.RecordCashSale (shift stream): the cash the sale leaves in the drawer (cash
//     tendered − change, possibly zero). A live sale is refused here once the shift has
//     closed, so a shift's close and its sales are ordered on one stream and the close's
//     expected cash is exact. An offline upload is recorded after the close (AfterClose) and
//     flagged, never lost;
//  3. register.ReserveReceiptNumber (register stream): the next receipt number, or the one
//     already reserved for the sale. Only locked, completable sales reach this step, so every
//     number is used by a completed sale: the numbers stay gap-free;
//  4. sale.CompleteSale (sale stream) with that number. A live sale whose cash the shift
//     counted in step 2 completes even if the shift closed since: it is in the close's figures.
//
// If-Match applies to step 1. The result is that of step 4. l is the sale as the caller loaded
// it (see execute's known).
func (s *Sales) Complete(ctx context.Context, cmd Context, l Loaded[sale.State]) (SaleResult, error) {
	if !l.Exists {
		return SaleResult{}, rules.ErrNotFound
	}
	return s.complete(ctx, cmd, l, s.now())
}

// complete is Complete at now.
func (s *Sales) complete(ctx context.Context, cmd Context, l Loaded[sale.State], now time.Time) (SaleResult, error) {
	sl := l.State
	saleID := sl.ID
	if sl.Status == sale.StatusCompleted {
		// Done before: step 4 answers with its original result (or refuses a stale If-Match).
		if cmd.IfMatch != nil && *cmd.IfMatch != l.Revision {
			return SaleResult{}, ErrPreconditionFailed
		}
		res, after, err := execute(ctx, s.h, SaleStream(saleID), SaleAggregate, stepCommand(cmd, "sale.complete", saleID), &l, func(st sale.State) ([]sale.Event, error) {
			return sale.Decide(st, sale.CompleteSale{ReceiptNumber: st.ReceiptNumber}, now)
		})
		return SaleResult{res, after}, err
	}
	reg, err := loadRegisterOf(ctx, s.h, sl.RegisterID, uuid.Nil, "register_id")
	if err != nil {
		return SaleResult{}, err
	}
	info, sh, err := loadShiftInfo(ctx, s.h, sl.ShiftID, reg.State, now)
	if err != nil {
		return SaleResult{}, err
	}
	checkout := stepCommand(cmd, "sale.checkout", saleID)
	checkout.IfMatch = cmd.IfMatch
	checkedOut, locked, err := execute(ctx, s.h, SaleStream(saleID), SaleAggregate, checkout, &l, func(st sale.State) ([]sale.Event, error) {
		return sale.Decide(st, sale.StartCheckout{Shift: info}, now)
	})
	if err != nil {
		return SaleResult{}, err
	}
	checkoutAt, ok := locked.positionOf(func(e any) bool { _, ok := e.(sale.CheckoutStarted); return ok })
	if !ok {
		return SaleResult{}, fmt.Errorf("sale %s is in checkout without a checkout event", saleID)
	}
	// The register and the shift were read before the checkout. If this call wrote the
	// checkout, no attempt of steps 2 and 3 can precede those reads: they go on from them. If
	// an earlier attempt wrote it, its steps 2 and 3 may have written before those reads,
	// behind a snapshot: the steps then read their streams again, back to the checkout.
	if len(checkedOut.Events) > 0 && !checkedOut.Replayed {
		return s.finish(ctx, cmd, locked, checkoutAt, &sh, &reg, info, now)
	}
	return s.finish(ctx, cmd, locked, checkoutAt, nil, nil, info, now)
}

// stepCommand is the command of one completion step of a sale: its ID derives from the sale's,
// so every route to the step, at any time, writes the same events.
func stepCommand(cmd Context, op string, saleID uuid.UUID) Context {
	c := cmd
	c.ID, c.IfMatch, c.After = op+":"+saleID.String(), nil, eventstore.Start
	return c
}

// finish runs steps 2 to 4 of a sale locked for checkout at position checkoutAt. The shift
// and register, when given, are as this request read them before it wrote the checkout itself
// (see execute's known): no earlier attempt of steps 2 and 3 can precede such a read. Without
// them, the steps read their streams back to the checkout.
func (s *Sales) finish(ctx context.Context, cmd Context, locked Loaded[sale.State], checkoutAt eventstore.Position,
	sh *Loaded[shift.State], reg *Loaded[register.State], info sale.ShiftInfo, now time.Time) (SaleResult, error) {
	sl := locked.State
	saleID := sl.ID
	cashIn, err := cashInOf(sl)
	if err != nil {
		return SaleResult{}, err
	}

	// Steps 2 and 3 can only follow the checkout: a retry looks for their events that far back
	// in the shift and register streams, however long they are.
	cashCmd := stepCommand(cmd, "sale.cash", saleID)
	cashCmd.After = checkoutAt
	if _, err := retryHot(ctx, hotAttempts, func() (Result, error) {
		res, _, err := execute(ctx, s.h, ShiftStream(sl.ShiftID), ShiftAggregate, cashCmd, once(&sh), func(sh shift.State) ([]shift.Event, error) {
			return recordCash(sh, sl, cashIn, now)
		})
		return res, err
	}); err != nil {
		return SaleResult{}, err
	}

	receiptCmd := stepCommand(cmd, "sale.receipt", saleID)
	receiptCmd.After = checkoutAt
	res, err := retryHot(ctx, hotAttempts, func() (Result, error) {
		res, _, err := execute(ctx, s.h, RegisterStream(sl.RegisterID), RegisterAggregate, receiptCmd, once(&reg), func(r register.State) ([]register.Event, error) {
			return register.Decide(r, register.ReserveReceiptNumber{SaleID: saleID}, now)
		})
		return res, err
	})
	if err != nil {
		return SaleResult{}, err
	}
	number := receiptNumber(res.Events)
	res, done, err := execute(ctx, s.h, SaleStream(saleID), SaleAggregate, stepCommand(cmd, "sale.complete", saleID), &locked, func(st sale.State) ([]sale.Event, error) {
		return completeSale(st, number, info, now)
	})
	return SaleResult{res, done}, err
}

// cashInOf is the cash a sale leaves in the drawer (step 2): cash tendered − change.
func cashInOf(sl sale.State) (money.Money, error) {
	totals, _, err := sl.Priced()
	if err != nil {
		return money.Money{}, err
	}
	return totals.CashPaid.Sub(totals.Change)
}

// recordCash decides step 2 on the sale's shift: a live sale is refused once the shift has
// closed; an offline upload is recorded after the close (AfterClose), flagged.
func recordCash(sh shift.State, sl sale.State, cashIn money.Money, now time.Time) ([]shift.Event, error) {
	evs, err := shift.Decide(sh, shift.RecordCashSale{SaleID: sl.ID, Amount: cashIn}, now)
	for _, e := range evs {
		if rec, ok := e.(shift.CashSaleRecorded); ok && rec.AfterClose && !sl.Upload {
			return nil, sale.ErrShiftNotOpen.With("the shift closed before the sale completed")
		}
	}
	return evs, err
}

// receiptNumber is the number step 3's events reserved (0 when they hold none).
func receiptNumber(events []any) int64 {
	var number int64
	for _, e := range events {
		if rr, ok := e.(register.ReceiptNumberReserved); ok {
			number = rr.Number
		}
	}
	return number
}

// completeSale decides step 4 with the receipt number of step 3. A live sale whose cash its
// shift counted in step 2 belongs to that shift even if it closed since.
func completeSale(st sale.State, number int64, info sale.ShiftInfo, now time.Time) ([]sale.Event, error) {
	completeShift := info
	if !st.Upload {
		completeShift.ClosedAt = time.Time{}
	}
	return sale.Decide(st, sale.CompleteSale{ReceiptNumber: number, Shift: completeShift}, now)
}

// once returns *p and clears it: a known aggregate serves the first attempt only.
func once[T any](p **T) *T {
	v := *p
	*p = nil
	return v
}
