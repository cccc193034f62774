package sale

import (
	"math/big"

	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// share is a sale's effective discount: the discount its line and sale rules give together,
// as a share of its undiscounted gross (Σ unit price × quantity). Off is taken before the
// rounding of percentages, in ten-thousandths of a minor unit, so that a lone percentage is
// judged by its rate (10 % of 2.99 is 10 %, not the 0.30 charged); gross is in minor units.
// The sums are exact (big integers): no amount the deciders accept makes them overflow.
type share struct{ off, gross *big.Int }

// effectiveDiscount returns s's effective discount.
func (s State) effectiveDiscount() (share, error) {
	off, gross, base := new(big.Int), new(big.Int), new(big.Int)
	for _, l := range s.Lines {
		amt, err := quantity.MulMoney(l.UnitPrice, l.Quantity, s.Rounding)
		if err != nil {
			return share{}, outOfRange(err)
		}
		charged, err := l.DiscountRule.Of(amt, s.Rounding)
		if err != nil {
			return share{}, outOfRange(err)
		}
		a := big.NewInt(amt.Amount)
		gross.Add(gross, a)
		off.Add(off, l.DiscountRule.exact(a))
		// The sale discount applies to what the lines charge after their own discounts.
		base.Add(base, a.Sub(a, big.NewInt(charged.Amount)))
	}
	return share{off: off.Add(off, s.Discount.exact(base)), gross: gross}, nil
}

// exact returns what d takes of base before rounding, in ten-thousandths of a minor unit.
func (d Discount) exact(base *big.Int) *big.Int {
	if d.PercentBP != 0 {
		return new(big.Int).Mul(base, big.NewInt(d.PercentBP))
	}
	return new(big.Int).Mul(big.NewInt(d.Amount.Amount), big.NewInt(10000))
}

// beyond reports whether sh is more than limitBP basis points of its gross (a discount on a
// gross of zero is beyond any limit).
func (sh share) beyond(limitBP int64) bool {
	return sh.off.Cmp(new(big.Int).Mul(sh.gross, big.NewInt(limitBP))) > 0
}

// above reports whether sh is a larger share than o: off/gross > o.off/o.gross, compared by
// cross-multiplying (grosses are never negative).
func (sh share) above(o share) bool {
	return new(big.Int).Mul(sh.off, o.gross).Cmp(new(big.Int).Mul(o.off, sh.gross)) > 0
}

// raisesBeyond reports whether a command leading from s to next needs a sale.discount approval
// for the sale's effective discount: next's is beyond lim and larger than s's. So the limit
// holds for line and sale discounts together, in whatever order they are given (a 10 % line
// discount and a 10 % sale discount are 19 % off), and for a line removal that lifts a fixed
// sale discount's share; a command that keeps or lowers an approved discount needs no second
// approval.
func raisesBeyond(s, next State, lim rules.Limits) (bool, error) {
	if lim.Unlimited {
		return false, nil
	}
	after, err := next.effectiveDiscount()
	if err != nil || !after.beyond(lim.MaxDiscountBP) {
		return false, err
	}
	before, err := s.effectiveDiscount()
	if err != nil {
		return false, err
	}
	return after.above(before), nil
}
