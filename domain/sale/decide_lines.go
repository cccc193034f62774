package sale

import (
	"slices"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/tax"
)

func decideAddLine(s State, c AddLine) ([]Event, error) {
	if l, ok := s.Line(c.LineID); ok {
		if l.ProductID == c.Product.ID && l.Quantity == c.Quantity {
			return nil, nil // a retry
		}
		return nil, rules.ErrIDReused
	}
	if slices.Contains(s.RemovedLines, c.LineID) {
		return nil, rules.ErrIDReused
	}
	if err := mustBeOpen(s); err != nil {
		return nil, err
	}
	p := c.Product
	var v rules.Validator
	v.Check(c.LineID != uuid.Nil, "id", "is required")
	v.Check(p.ID != uuid.Nil, "product_id", "is required")
	v.Check(c.Quantity > 0, "quantity", "must be positive")
	v.Quantity("quantity", c.Quantity)
	v.Check(p.Price.Currency == s.Currency, "product.price", "is not in the store currency "+s.Currency)
	v.Check(tax.ValidRate(p.TaxRateBP), "product.tax_rate_bp", "is out of range")
	if c.UnitPrice != nil {
		v.Check(c.UnitPrice.Currency == s.Currency, "unit_price.currency", "must be "+s.Currency)
		v.Check(c.UnitPrice.Amount >= 0, "unit_price.amount", "must not be negative")
		v.Amount("unit_price.amount", *c.UnitPrice)
	}
	c.Discount.validate(&v, "discount", s.Currency)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !p.Active {
		return nil, ErrProductInactive
	}
	if !p.SoldByWeight && !c.Quantity.IsWhole() {
		return nil, ErrFractionalQuantity
	}
	e := LineAdded{SaleID: s.ID, Line: Line{ID: c.LineID, ProductID: p.ID, SKU: p.SKU, Name: p.Name, Category: p.Category,
		Quantity: c.Quantity, UnitPrice: p.Price, ListPrice: p.Price, TaxCode: p.TaxCode, TaxRateBP: p.TaxRateBP,
		DiscountRule: c.Discount, SoldByWeight: p.SoldByWeight, TrackStock: p.TrackStock}}
	if c.UnitPrice != nil && *c.UnitPrice != p.Price {
		approver, err := c.Approvals.Require(rules.ActionSalePriceOverride)
		if err != nil {
			return nil, err
		}
		e.Line.UnitPrice, e.PriceOverrideBy = *c.UnitPrice, approver
	}
	amount, err := quantity.MulMoney(e.Line.UnitPrice, c.Quantity, s.Rounding)
	if err != nil {
		return nil, outOfRange(err)
	}
	if err := checkDiscount(c.Discount, amount, s.Rounding); err != nil {
		return nil, err
	}
	// Only a store that refuses negative stock checks it at the sale (the caller then loads
	// OnHand); a new store sells what the customer hands over.
	if p.TrackStock && p.OnHand != nil && !p.AllowNegativeStock {
		want := c.Quantity
		for _, l := range s.Lines {
			if l.ProductID == p.ID {
				want += l.Quantity
			}
		}
		if want > *p.OnHand {
			if !s.Upload {
				return nil, ErrInsufficientStock.With(p.SKU + ": " + p.OnHand.String() + " on hand, " + want.String() + " wanted")
			}
			e.Flags = []string{FlagNegativeStock}
		}
	}
	next := Evolve(s, e)
	if err := checkCandidate(next); err != nil {
		return nil, err
	}
	if e.DiscountApprovedBy, err = discountApproval(c.Discount, amount, s, next, c.Limits, c.Approvals); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

// checkDiscount refuses a discount rule d that would take more than its base.
func checkDiscount(d Discount, base money.Money, mode money.RoundingMode) error {
	amt, err := d.Of(base, mode)
	if err != nil {
		return outOfRange(err)
	}
	if amt.Amount > base.Amount {
		return ErrDiscountTooLarge
	}
	return nil
}

// discountApproval returns the approver of the discounts of a command that gives the rule d on
// base and leads from s to next, or "" when it needs none. The cashier's limit holds twice:
// for d on what it applies to (a line, or what the lines charge after their own discounts),
// and for the sale's effective discount (see raisesBeyond). Beyond either, the command needs
// a sale.discount approval.
func discountApproval(d Discount, base money.Money, s, next State, lim rules.Limits, as rules.Approvals) (string, error) {
	if lim.Unlimited {
		return "", nil
	}
	amt, err := d.Of(base, s.Rounding)
	if err != nil {
		return "", outOfRange(err)
	}
	// A percentage is judged by its rate; an amount by amt/base, compared exactly.
	within := amt.Amount == 0 || d.PercentBP <= lim.MaxDiscountBP
	if amt.Amount != 0 && d.PercentBP == 0 {
		q, r, err := money.FloorDivRem(amt.Amount, 10000, base.Amount)
		if err != nil {
			return "", outOfRange(err)
		}
		within = q < lim.MaxDiscountBP || (q == lim.MaxDiscountBP && r == 0)
	}
	if within {
		raised, err := raisesBeyond(s, next, lim)
		if err != nil || !raised {
			return "", err
		}
	}
	return as.Require(rules.ActionSaleDiscount)
}

// checkCandidate checks the invariants of a state a command would lead to: totals computable
// (no discount above its base) and non-cash tenders not above the total.
func checkCandidate(next State) error {
	t, _, err := next.Priced()
	if err != nil {
		return err
	}
	if t.NonCashPaid.Amount > t.Total.Amount {
		return ErrOverpayment.With("non-cash tenders would exceed the total")
	}
	return checkBounds(t)
}

func decideRemoveLine(s State, c RemoveLine) ([]Event, error) {
	if slices.Contains(s.RemovedLines, c.LineID) {
		return nil, nil
	}
	if err := mustBeOpen(s); err != nil {
		return nil, err
	}
	if _, ok := s.Line(c.LineID); !ok {
		return nil, ErrLineNotFound
	}
	e := LineRemoved{SaleID: s.ID, LineID: c.LineID, AfterPayment: len(s.Payments) > 0}
	if e.AfterPayment {
		approver, err := c.Approvals.Require(rules.ActionSaleVoid)
		if err != nil {
			return nil, err
		}
		e.ApprovedBy = approver
	}
	next := Evolve(s, e)
	if err := checkCandidate(next); err != nil {
		return nil, err
	}
	// Removing a line can lift the share of the discounts left (a fixed sale discount).
	var err error
	if e.DiscountApprovedBy, err = discountApproval(Discount{}, money.Zero(s.Currency), s, next, c.Limits, c.Approvals); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

func decideDiscount(s State, c ApplyDiscount) ([]Event, error) {
	if err := mustBeOpen(s); err != nil {
		return nil, err
	}
	var v rules.Validator
	c.Discount.validate(&v, "discount", s.Currency)
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, lines, err := s.Priced()
	if err != nil {
		return nil, err
	}
	base, current := money.Zero(s.Currency), s.Discount
	if c.LineID != uuid.Nil {
		l, ok := s.Line(c.LineID)
		if !ok {
			return nil, ErrLineNotFound
		}
		current = l.DiscountRule
		for _, pl := range lines {
			if pl.ID == c.LineID {
				base = pl.Amount
			}
		}
	} else {
		for _, pl := range lines {
			b, err := pl.Amount.Sub(pl.LineDiscount)
			if err == nil {
				base, err = base.Add(b)
			}
			if err != nil {
				return nil, outOfRange(err)
			}
		}
	}
	if current == c.Discount {
		return nil, nil
	}
	e := DiscountApplied{SaleID: s.ID, LineID: c.LineID, Discount: c.Discount}
	if e.Amount, err = c.Discount.Of(base, s.Rounding); err != nil {
		return nil, outOfRange(err)
	}
	if err := checkDiscount(c.Discount, base, s.Rounding); err != nil {
		return nil, err
	}
	next := Evolve(s, e)
	if err := checkCandidate(next); err != nil {
		return nil, err
	}
	if e.ApprovedBy, err = discountApproval(c.Discount, base, s, next, c.Limits, c.Approvals); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}
