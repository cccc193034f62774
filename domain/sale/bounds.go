package sale

import "github.com/odata-pos/pos/domain/money"

// checkBounds keeps a sale's figures within money.MaxAmount (see its doc comment for why):
// a sale whose subtotal, total or tendered amount would pass it is refused, so no sale can
// carry a figure the read side's sums are not sized for.
func checkBounds(t Totals) error {
	for _, m := range []money.Money{t.Subtotal, t.Discount, t.Tax, t.Total, t.Paid, t.Change} {
		if !m.InBounds() {
			return ErrAmountOutOfRange.With("a sale's figures " + money.BoundsMessage)
		}
	}
	return nil
}
