package reports

import (
	"errors"
	"fmt"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/shift"
)

// errOutOfBounds: an event carries an amount or quantity beyond the domain's bounds, which
// only an event recorded before them (or written past the deciders) can. The fold adds up a
// batch in int64 before one upsert per row; with every amount within money.MaxAmount no batch
// sum can wrap around, so such an event is refused (and parked by the runner) instead of
// folded into a wrong figure.
var errOutOfBounds = errors.New("an amount or quantity beyond the domain's bounds (money.MaxAmount, quantity.Max)")

// checkBounds returns errOutOfBounds when the decoded event v carries a figure the fold sums
// that lies beyond the bounds.
func checkBounds(v any) error {
	var amounts []int64
	var qtys []quantity.Quantity
	switch v := v.(type) {
	case saleCompleted:
		amounts = append(amounts, v.Totals.Total.Amount, v.Totals.Change.Amount)
		for _, l := range v.Lines {
			amounts = append(amounts, l.Discount.Amount, l.Tax.Amount, l.Total.Amount)
			qtys = append(qtys, l.Quantity)
		}
		for _, p := range v.Payments {
			amounts = append(amounts, p.Amount.Amount)
		}
	case returnRecorded:
		amounts = append(amounts, v.Total.Amount)
		for _, l := range v.Lines {
			amounts = append(amounts, l.Tax.Amount, l.Refund.Amount)
			qtys = append(qtys, l.Quantity)
		}
		for _, r := range v.Refunds {
			amounts = append(amounts, r.Amount.Amount)
		}
	case stockMoved:
		qtys = append(qtys, v.Delta)
		if v.UnitCost != nil {
			amounts = append(amounts, v.UnitCost.Amount)
		}
	case catalog.ProductCreated:
		if v.Cost != nil {
			amounts = append(amounts, v.Cost.Amount)
		}
	case shift.ShiftOpened:
		amounts = append(amounts, v.OpeningFloat.Amount)
	case shift.CashMovementRecorded:
		amounts = append(amounts, v.Amount.Amount)
	case shift.CashSaleRecorded:
		amounts = append(amounts, v.Amount.Amount)
	case shift.CashRefundRecorded:
		amounts = append(amounts, v.Amount.Amount)
	}
	for _, a := range amounts {
		if !money.New(a, "").InBounds() {
			return fmt.Errorf("amount %d: %w", a, errOutOfBounds)
		}
	}
	for _, q := range qtys {
		if !q.InBounds() {
			return fmt.Errorf("quantity %s: %w", q, errOutOfBounds)
		}
	}
	return nil
}
