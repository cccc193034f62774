package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/register"
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
// If-Match applies to step 1. The result is that of step 4.
func (s *Sales) Complete(ctx context.Context, cmd Context, saleID uuid.UUID) (Result, error) {
	now := s.now()
	l, err := s.Get(ctx, saleID)
	if err != nil {
		return Result{}, err
	}
	sl := l.State
	id := saleID.String()
	stepCmd := func(op string) Context {
		c := cmd
		c.ID, c.IfMatch = op+":"+id, nil
		return c
	}
	if sl.Status == sale.StatusCompleted {
		// Done before: step 4 answers with its original result (or refuses a stale If-Match).
		if cmd.IfMatch != nil && *cmd.IfMatch != l.Revision {
			return Result{}, ErrPreconditionFailed
		}
		return Execute(ctx, s.h, SaleStream(saleID), SaleAggregate, stepCmd("sale.complete"), func(st sale.State) ([]sale.Event, error) {
			return sale.Decide(st, sale.CompleteSale{ReceiptNumber: st.ReceiptNumber}, now)
		})
	}
	reg, err := loadRegisterOf(ctx, s.h, sl.RegisterID, uuid.Nil, "register_id")
	if err != nil {
		return Result{}, err
	}
	info, _, err := loadShiftInfo(ctx, s.h, sl.ShiftID, reg.State, now)
	if err != nil {
		return Result{}, err
	}
	checkout := stepCmd("sale.checkout")
	checkout.IfMatch = cmd.IfMatch
	if _, err := Execute(ctx, s.h, SaleStream(saleID), SaleAggregate, checkout, func(st sale.State) ([]sale.Event, error) {
		return sale.Decide(st, sale.StartCheckout{Shift: info}, now)
	}); err != nil {
		return Result{}, err
	}
	locked, err := s.Get(ctx, saleID)
	if err != nil {
		return Result{}, err
	}
	sl = locked.State
	totals, _, err := sl.Priced()
	if err != nil {
		return Result{}, err
	}
	cashIn, err := totals.CashPaid.Sub(totals.Change)
	if err != nil {
		return Result{}, err
	}

	if _, err := retryHot(ctx, hotAttempts, func() (Result, error) {
		return Execute(ctx, s.h, ShiftStream(sl.ShiftID), ShiftAggregate, stepCmd("sale.cash"), func(sh shift.State) ([]shift.Event, error) {
			evs, err := shift.Decide(sh, shift.RecordCashSale{SaleID: saleID, Amount: cashIn}, now)
			for _, e := range evs {
				if rec, ok := e.(shift.CashSaleRecorded); ok && rec.AfterClose && !sl.Upload {
					return nil, sale.ErrShiftNotOpen.With("the shift closed before the sale completed")
				}
			}
			return evs, err
		})
	}); err != nil {
		return Result{}, err
	}

	// Step 3's events can only follow the checkout: a retry looks for them that far back in
	// the register stream, however long it is.
	receiptCmd := stepCmd("sale.receipt")
	checkoutAt, ok := locked.positionOf(func(e any) bool { _, ok := e.(sale.CheckoutStarted); return ok })
	if !ok {
		return Result{}, fmt.Errorf("sale %s is in checkout without a checkout event", id)
	}
	receiptCmd.After = checkoutAt
	var number int64
	res, err := retryHot(ctx, hotAttempts, func() (Result, error) {
		return Execute(ctx, s.h, RegisterStream(sl.RegisterID), RegisterAggregate, receiptCmd, func(r register.State) ([]register.Event, error) {
			return register.Decide(r, register.ReserveReceiptNumber{SaleID: saleID}, now)
		})
	})
	if err != nil {
		return Result{}, err
	}
	for _, e := range res.Events {
		if rr, ok := e.(register.ReceiptNumberReserved); ok {
			number = rr.Number
		}
	}

	completeShift := info
	if !sl.Upload {
		// The shift counted this sale in step 2, before any close: the sale belongs to it.
		completeShift.ClosedAt = time.Time{}
	}
	return Execute(ctx, s.h, SaleStream(saleID), SaleAggregate, stepCmd("sale.complete"), func(st sale.State) ([]sale.Event, error) {
		return sale.Decide(st, sale.CompleteSale{ReceiptNumber: number, Shift: completeShift}, now)
	})
}
