package shifts

import (
	"errors"
	"fmt"

	"github.com/odata-pos/pos/domain/money"
	dreturns "github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
)

// errOutOfBounds: an event carries an amount beyond money.MaxAmount, which only an event
// recorded before the bounds (or written past the deciders) can. Apply adds a batch up in
// int64 before one update per shift; with every amount within the bound no batch sum can wrap
// around, so such an event is refused (and parked by the runner) instead of folded into a
// wrong figure.
var errOutOfBounds = errors.New("an amount beyond money.MaxAmount")

// checkBounds returns errOutOfBounds when v carries an amount Apply sums beyond the bound.
func checkBounds(v any) error {
	var ms []money.Money
	switch v := v.(type) {
	case shift.CashMovementRecorded:
		ms = append(ms, v.Amount)
	case shift.CashSaleRecorded:
		ms = append(ms, v.Amount)
	case shift.CashRefundRecorded:
		ms = append(ms, v.Amount)
	case sale.SaleCompleted:
		ms = append(ms, v.Totals.Total, v.Totals.Tax, v.Totals.Discount, v.Totals.Change)
		for _, p := range v.Payments {
			ms = append(ms, p.Amount)
		}
	case dreturns.ReturnRecorded:
		ms = append(ms, v.Total)
		for _, r := range v.Refunds {
			ms = append(ms, r.Amount)
		}
	}
	for _, m := range ms {
		if !m.InBounds() {
			return fmt.Errorf("%s: %w", m, errOutOfBounds)
		}
	}
	return nil
}
