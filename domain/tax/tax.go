package tax

import (
	"errors"
	"fmt"

	"github.com/odata-pos/pos/domain/money"
)

// MaxRateBP is the highest accepted rate (100 %).
const MaxRateBP = 10000

// ErrInvalidRate: a rate outside 0..MaxRateBP basis points.
var ErrInvalidRate = errors.New("tax: rate out of range")

// ErrDiscountTooLarge: discounts exceed the amount they apply to.
var ErrDiscountTooLarge = errors.New("tax: discount exceeds amount")

// Pricing says whether prices include tax.
type Pricing struct {
	// Inclusive is true when prices contain tax (retail in most of Europe).
	Inclusive bool
	// Rounding is the per-line tax rounding mode.
	Rounding money.RoundingMode
}

// Line is one priced line before tax.
type Line struct {
	// Amount is unit price × quantity, already rounded, before any discount.
	Amount money.Money
	// Discount is the line's own discount (an amount, ≤ Amount).
	Discount money.Money
	// RateBP is the line's tax rate in basis points.
	RateBP int64
}

// LineResult is a line after discounts and tax.
type LineResult struct {
	// Amount is the line amount before discounts (as priced).
	Amount money.Money `json:"amount"`
	// LineDiscount is the line's own discount.
	LineDiscount money.Money `json:"line_discount"`
	// SaleDiscount is the line's apportioned share of the document discount.
	SaleDiscount money.Money `json:"sale_discount"`
	// Discount is LineDiscount + SaleDiscount.
	Discount money.Money `json:"discount"`
	// Net is Amount − Discount, as priced (so it contains tax when prices are inclusive).
	Net money.Money `json:"net"`
	// Tax is the tax of the line, rounded.
	Tax money.Money `json:"tax"`
	// Total is what the customer pays for the line: Net for inclusive prices, Net + Tax for
	// exclusive prices.
	Total money.Money `json:"total"`
}

// ValidRate reports whether bp is an accepted rate.
func ValidRate(bp int64) bool { return bp >= 0 && bp <= MaxRateBP }

// OfNet returns the tax contained in (inclusive) or due on (exclusive) a net amount at rateBP,
// rounded in p.Rounding. Inclusive: net × r / (10000 + r). Exclusive: net × r / 10000.
func OfNet(net money.Money, rateBP int64, p Pricing) (money.Money, error) {
	if !ValidRate(rateBP) {
		return money.Money{}, fmt.Errorf("%w: %d", ErrInvalidRate, rateBP)
	}
	den := int64(10000)
	if p.Inclusive {
		den += rateBP
	}
	t, err := money.MulDiv(net.Amount, rateBP, den, p.Rounding)
	if err != nil {
		return money.Money{}, err
	}
	return money.New(t, net.Currency), nil
}

// ComputeLine applies a line's own discount, a share of the document discount and tax.
func ComputeLine(l Line, saleDiscount money.Money, p Pricing) (LineResult, error) {
	r := LineResult{Amount: l.Amount, LineDiscount: l.Discount, SaleDiscount: saleDiscount}
	var err error
	if r.Discount, err = l.Discount.Add(saleDiscount); err != nil {
		return LineResult{}, err
	}
	if r.Net, err = l.Amount.Sub(r.Discount); err != nil {
		return LineResult{}, err
	}
	if r.Discount.IsNegative() || (r.Net.IsNegative() && l.Amount.Amount >= 0) {
		return LineResult{}, ErrDiscountTooLarge
	}
	if r.Tax, err = OfNet(r.Net, l.RateBP, p); err != nil {
		return LineResult{}, err
	}
	r.Total = r.Net
	if !p.Inclusive {
		if r.Total, err = r.Net.Add(r.Tax); err != nil {
			return LineResult{}, err
		}
	}
	return r, nil
}
