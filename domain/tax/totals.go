package tax

import (
	"fmt"

	"github.com/odata-pos/pos/domain/money"
)

// Totals are a document's sums. They satisfy
// Total = Subtotal − Discount + (exclusive ? Tax : 0) = Σ line totals.
type Totals struct {
	// Subtotal is Σ line amounts before discounts.
	Subtotal money.Money `json:"subtotal"`
	// Discount is Σ line discounts + the document discount.
	Discount money.Money `json:"discount"`
	// Tax is Σ rounded line taxes (contained in Total for inclusive prices).
	Tax money.Money `json:"tax"`
	// Total is what the customer owes.
	Total money.Money `json:"total"`
}

// Compute returns the totals and per-line results of lines with a document-level discount
// amount. The document discount is apportioned over the lines in proportion to their amounts
// after line discounts, by largest remainder, so the shares sum exactly to it.
func Compute(currency string, lines []Line, docDiscount money.Money, p Pricing) (Totals, []LineResult, error) {
	t := Totals{Subtotal: money.Zero(currency), Discount: money.Zero(currency), Tax: money.Zero(currency), Total: money.Zero(currency)}
	if docDiscount.Currency == "" {
		docDiscount = money.Zero(currency)
	}
	weights := make([]int64, len(lines))
	norm := make([]Line, len(lines))
	var base int64
	for i, l := range lines {
		if l.Amount.Currency != currency || (l.Discount.Currency != "" && l.Discount.Currency != currency) {
			return Totals{}, nil, money.ErrCurrencyMismatch
		}
		if l.Discount.Currency == "" {
			l.Discount = money.Zero(currency)
		}
		norm[i] = l
		w := l.Amount.Amount - l.Discount.Amount
		if w < 0 || l.Discount.Amount < 0 || base+w < base {
			return Totals{}, nil, fmt.Errorf("%w: line %d", ErrDiscountTooLarge, i)
		}
		weights[i] = w
		base += w
	}
	if docDiscount.Currency != currency {
		return Totals{}, nil, money.ErrCurrencyMismatch
	}
	if docDiscount.Amount < 0 || docDiscount.Amount > base {
		return Totals{}, nil, ErrDiscountTooLarge
	}
	shares, err := money.Allocate(docDiscount, weights)
	if err != nil {
		return Totals{}, nil, err
	}
	results := make([]LineResult, len(lines))
	for i, l := range norm {
		r, err := ComputeLine(l, shares[i], p)
		if err != nil {
			return Totals{}, nil, fmt.Errorf("line %d: %w", i, err)
		}
		results[i] = r
		for _, step := range []struct {
			dst *money.Money
			add money.Money
		}{{&t.Subtotal, r.Amount}, {&t.Discount, r.Discount}, {&t.Tax, r.Tax}, {&t.Total, r.Total}} {
			if *step.dst, err = step.dst.Add(step.add); err != nil {
				return Totals{}, nil, err
			}
		}
	}
	return t, results, nil
}

// Check verifies the totals identity Total = Subtotal − Discount + exclusive Tax. It is the
// invariant tests and fuzzers assert.
func (t Totals) Check(p Pricing) error {
	want := t.Subtotal.Amount - t.Discount.Amount
	if !p.Inclusive {
		want += t.Tax.Amount
	}
	if want != t.Total.Amount {
		return fmt.Errorf("tax: totals do not add up: %d − %d (+ tax %d) ≠ %d", t.Subtotal.Amount, t.Discount.Amount, t.Tax.Amount, t.Total.Amount)
	}
	return nil
}
