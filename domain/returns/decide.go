package returns

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/tax"
)

// Rule errors of returns.
var (
	// ErrSaleNotCompleted: only completed sales can be returned against.
	ErrSaleNotCompleted = &rules.RuleError{Code: "sale_not_completed", Msg: "the sale is not completed", Conflict: true}
	// ErrExceedsSold: more would come back than was sold and not yet returned.
	ErrExceedsSold = &rules.RuleError{Code: "return_exceeds_sold", Msg: "more returned than sold", Conflict: true}
	// ErrRefundMismatch: the refunds do not add up to what the returned lines are worth.
	ErrRefundMismatch = &rules.RuleError{Code: "refund_mismatch", Msg: "refunds must add up to the return total"}
	// ErrRefundExceedsPaid: more refunded in a tender than was paid in it.
	ErrRefundExceedsPaid = &rules.RuleError{Code: "refund_exceeds_paid", Msg: "refund exceeds what was paid in this tender", Conflict: true}
	// ErrShiftNotOpen: cash refunds need an open shift.
	ErrShiftNotOpen = &rules.RuleError{Code: "shift_not_open", Msg: "cash refunds need an open shift", Conflict: true}
)

// Line asks to return Quantity of an original sale line.
type Line struct {
	SaleLineID uuid.UUID
	Quantity   quantity.Quantity
	Restock    bool
	Reason     string
}

// NoReceiptLine asks to return a product without its sale, at the price passed in (the current
// price, filled by the caller).
type NoReceiptLine struct {
	Product  sale.Product
	Quantity quantity.Quantity
	Restock  bool
	Reason   string
}

// CreateReturn records a return. Sale is the original sale's state (nil for a no-receipt
// return, which then needs Store and NoReceiptLines). Returned and Refunded are what earlier
// returns of the sale took back, per sale line and per tender. ShiftOpen says whether ShiftID is
// open now. Refunds empty means: refund to the sale's tenders (non-cash first), or in store
// credit without a receipt.
type CreateReturn struct {
	ReturnID       uuid.UUID
	Sale           *sale.State
	Store          sale.StoreInfo
	RegisterID     uuid.UUID
	ShiftID        uuid.UUID
	ShiftOpen      bool
	Lines          []Line
	NoReceiptLines []NoReceiptLine
	Refunds        []Refund
	Returned       map[uuid.UUID]quantity.Quantity
	Refunded       map[string]money.Money
	Limits         rules.Limits
	// Approvals are the managers' approvals given: a no-receipt return needs
	// rules.ActionReturnNoReceipt, a refund above Limits rules.ActionReturnOverLimit, and a
	// no-receipt return above the limit both. A refusal names every approval missing at once.
	Approvals rules.Approvals
}

// Command is a return command.
type Command interface{ isCommand() }

func (CreateReturn) isCommand() {}

// Decide handles return commands.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	cr, ok := c.(CreateReturn)
	if !ok {
		return nil, rules.ErrUnknownCommand
	}
	if s.Exists() {
		return nil, nil // a retry: the return was recorded
	}
	if cr.ReturnID == uuid.Nil {
		return nil, &rules.ValidationError{Fields: []rules.FieldError{{Field: "id", Message: "is required"}}}
	}
	e := ReturnRecorded{ReturnID: cr.ReturnID, RegisterID: cr.RegisterID, ShiftID: cr.ShiftID, ReturnedAt: now}
	var paid map[string]money.Money
	var tenders []string
	var err error
	if cr.Sale != nil {
		paid, tenders, err = withReceipt(&e, cr)
	} else {
		err = withoutReceipt(&e, cr)
	}
	if errors.Is(err, money.ErrOverflow) {
		return nil, rules.ErrOutOfRange.With("the return's total overflows")
	}
	if err != nil {
		return nil, err
	}
	if !e.Total.InBounds() { // a sale's total is bounded; a no-receipt return's must be too
		return nil, rules.ErrOutOfRange.With("the return's total " + money.BoundsMessage)
	}
	cur := e.Total.Currency
	if e.Refunds, err = refunds(cr, e.Total, paid, tenders); err != nil {
		return nil, err
	}
	e.CashOut = money.Zero(cur)
	for _, r := range e.Refunds {
		if r.Tender == sale.TenderCash {
			e.CashOut.Amount += r.Amount.Amount
		}
	}
	if e.CashOut.Amount > 0 && !cr.ShiftOpen {
		return nil, ErrShiftNotOpen
	}
	if err := approve(&e, cr.Limits, cr.Approvals); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

func sum(dst *money.Money, add money.Money) error {
	s, err := dst.Add(add)
	*dst = s
	return err
}

func withReceipt(e *ReturnRecorded, cr CreateReturn) (map[string]money.Money, []string, error) {
	s := *cr.Sale
	if s.Status != sale.StatusCompleted {
		return nil, nil, ErrSaleNotCompleted
	}
	e.SaleID, e.StoreID, e.PricesIncludeTax = s.ID, s.StoreID, s.PricesIncludeTax
	t, lines, err := s.Priced()
	if err != nil {
		return nil, nil, err
	}
	cur := s.Currency
	e.Net, e.Tax, e.Total = money.Zero(cur), money.Zero(cur), money.Zero(cur)
	var v rules.Validator
	v.Check(len(cr.Lines) > 0, "lines", "at least one line is required")
	seen := map[uuid.UUID]bool{}
	for i, rl := range cr.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		v.Check(rl.Quantity > 0, f+".quantity", "must be positive")
		v.Quantity(f+".quantity", rl.Quantity)
		v.Check(!seen[rl.SaleLineID], f+".sale_line_id", "is listed twice")
		seen[rl.SaleLineID] = true
		idx := slices.IndexFunc(lines, func(l sale.PricedLine) bool { return l.ID == rl.SaleLineID })
		v.Check(idx >= 0, f+".sale_line_id", "is not a line of the sale")
		if idx >= 0 && !lines[idx].SoldByWeight {
			v.Check(rl.Quantity.IsWhole(), f+".quantity", "must be whole for a product not sold by weight")
		}
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	for _, rl := range cr.Lines {
		pl := lines[slices.IndexFunc(lines, func(l sale.PricedLine) bool { return l.ID == rl.SaleLineID })]
		before := cr.Returned[rl.SaleLineID]
		if before+rl.Quantity > pl.Quantity {
			return nil, nil, ErrExceedsSold.With(fmt.Sprintf("line %s: sold %s, returned %s", pl.ID, pl.Quantity, before))
		}
		portion := func(m money.Money) (money.Money, error) {
			return money.Portion(m, before.Milli(), rl.Quantity.Milli(), pl.Quantity.Milli(), s.Rounding)
		}
		out := ReturnedLine{SaleLineID: pl.ID, ProductID: pl.ProductID, SKU: pl.SKU, Category: pl.Category,
			Quantity: rl.Quantity, UnitPrice: pl.UnitPrice, TaxRateBP: pl.TaxRateBP, Restock: rl.Restock, Reason: rl.Reason}
		if out.Net, err = portion(pl.Net); err != nil {
			return nil, nil, err
		}
		if out.Tax, err = portion(pl.Tax); err != nil {
			return nil, nil, err
		}
		if out.Refund, err = portion(pl.Total); err != nil {
			return nil, nil, err
		}
		if err := errorsJoin(sum(&e.Net, out.Net), sum(&e.Tax, out.Tax), sum(&e.Total, out.Refund)); err != nil {
			return nil, nil, err
		}
		e.Lines = append(e.Lines, out)
	}
	// What each tender may still refund: paid in it (cash net of change) − refunded already.
	paid := map[string]money.Money{}
	var tenders []string
	for _, p := range s.Payments {
		if _, ok := paid[p.Tender]; !ok {
			paid[p.Tender] = money.Zero(cur)
			tenders = append(tenders, p.Tender)
		}
		m := paid[p.Tender]
		if err := sum(&m, p.Amount); err != nil {
			return nil, nil, err
		}
		paid[p.Tender] = m
	}
	if c, ok := paid[sale.TenderCash]; ok {
		paid[sale.TenderCash] = money.New(c.Amount-t.Change.Amount, cur)
	}
	for tender, r := range cr.Refunded {
		paid[tender] = money.New(paid[tender].Amount-r.Amount, cur)
	}
	return paid, tenders, nil
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func withoutReceipt(e *ReturnRecorded, cr CreateReturn) error {
	st := cr.Store
	var v rules.Validator
	v.Check(st.ID != uuid.Nil, "store_id", "is required without a sale")
	v.Check(money.ValidCurrency(st.Currency), "currency", "the store has no valid currency")
	v.Check(len(cr.NoReceiptLines) > 0, "lines", "at least one line is required")
	for i, l := range cr.NoReceiptLines {
		f := fmt.Sprintf("lines[%d]", i)
		v.Check(l.Product.ID != uuid.Nil, f+".product_id", "is required")
		v.Check(l.Quantity > 0, f+".quantity", "must be positive")
		v.Quantity(f+".quantity", l.Quantity)
		v.Check(l.Product.SoldByWeight || l.Quantity.IsWhole(), f+".quantity", "must be whole for a product not sold by weight")
		v.Check(l.Product.Price.Currency == st.Currency, f+".price", "is not in the store currency")
	}
	if err := v.Err(); err != nil {
		return err
	}
	e.NoReceipt, e.StoreID, e.PricesIncludeTax = true, st.ID, st.PricesIncludeTax
	cur := st.Currency
	e.Net, e.Tax, e.Total = money.Zero(cur), money.Zero(cur), money.Zero(cur)
	pricing := tax.Pricing{Inclusive: st.PricesIncludeTax, Rounding: st.Rounding}
	for _, l := range cr.NoReceiptLines {
		amt, err := quantity.MulMoney(l.Product.Price, l.Quantity, st.Rounding)
		if err != nil {
			return err
		}
		r, err := tax.ComputeLine(tax.Line{Amount: amt, Discount: money.Zero(cur), RateBP: l.Product.TaxRateBP}, money.Zero(cur), pricing)
		if err != nil {
			return err
		}
		e.Lines = append(e.Lines, ReturnedLine{ProductID: l.Product.ID, SKU: l.Product.SKU, Category: l.Product.Category,
			Quantity: l.Quantity, UnitPrice: l.Product.Price, TaxRateBP: l.Product.TaxRateBP, Restock: l.Restock,
			Reason: l.Reason, Net: r.Net, Tax: r.Tax, Refund: r.Total})
		if err := errorsJoin(sum(&e.Net, r.Net), sum(&e.Tax, r.Tax), sum(&e.Total, r.Total)); err != nil {
			return err
		}
	}
	return nil
}

// refunds checks the requested refunds, or allocates them over the sale's tenders.
func refunds(cr CreateReturn, total money.Money, paid map[string]money.Money, tenders []string) ([]Refund, error) {
	cur := total.Currency
	if len(cr.Refunds) == 0 {
		if cr.Sale == nil {
			return []Refund{{ID: refundID(cr.ReturnID, 0), Tender: sale.TenderStoreCredit, Amount: total}}, nil
		}
		// Non-cash tenders first, in the order paid, then cash.
		order := slices.Clone(tenders)
		slices.SortStableFunc(order, func(a, b string) int { return boolInt(a == sale.TenderCash) - boolInt(b == sale.TenderCash) })
		var out []Refund
		left := total.Amount
		for _, tn := range order {
			amt := min(left, max(paid[tn].Amount, 0))
			if amt > 0 {
				out = append(out, Refund{ID: refundID(cr.ReturnID, len(out)), Tender: tn, Amount: money.New(amt, cur)})
				left -= amt
			}
		}
		if left > 0 {
			return nil, ErrRefundExceedsPaid
		}
		return out, nil
	}
	var v rules.Validator
	given := map[string]int64{}
	var sumAmt int64
	for i, r := range cr.Refunds {
		f := fmt.Sprintf("refunds[%d]", i)
		v.Check(r.ID != uuid.Nil, f+".id", "is required")
		v.Check(sale.ValidTender(r.Tender), f+".tender", "is not a tender")
		v.Check(r.Amount.Amount > 0, f+".amount.amount", "must be positive")
		v.Amount(f+".amount.amount", r.Amount)
		v.Check(r.Amount.Currency == cur, f+".amount.currency", "must be "+cur)
		given[r.Tender] += r.Amount.Amount
		sumAmt += r.Amount.Amount
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if sumAmt != total.Amount {
		return nil, ErrRefundMismatch.With(fmt.Sprintf("refunds %d, return total %d", sumAmt, total.Amount))
	}
	if cr.Sale != nil {
		for tn, amt := range given {
			if tn != sale.TenderStoreCredit && amt > paid[tn].Amount {
				return nil, ErrRefundExceedsPaid.With(tn)
			}
		}
	}
	return slices.Clone(cr.Refunds), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refundID derives a refund's ID from the return ID, so a retried return gets the same IDs.
func refundID(returnID uuid.UUID, i int) uuid.UUID {
	return uuid.NewSHA1(returnID, fmt.Appendf(nil, "refund-%d", i))
}
