package sale

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/tax"
)

// State is a sale as decided upon. Evolve never shares slices between the old and new state.
type State struct {
	ID               uuid.UUID
	StoreID          uuid.UUID
	RegisterID       uuid.UUID
	ShiftID          uuid.UUID
	CashierID        string
	Currency         string
	PricesIncludeTax bool
	Rounding         money.RoundingMode
	Status           Status
	OpenedAt         time.Time
	Upload           bool
	Imported         *Imported
	Flags            []string
	Lines            []Line
	RemovedLines     []uuid.UUID
	Discount         Discount
	Payments         []Payment
	ReceiptNumber    int64
	CompletedAt      time.Time
	VoidReason       string
}

// Exists reports whether the sale was opened.
func (s State) Exists() bool { return s.Status != StatusNone }

// Pricing returns the sale's tax pricing.
func (s State) Pricing() tax.Pricing {
	return tax.Pricing{Inclusive: s.PricesIncludeTax, Rounding: s.Rounding}
}

// Line returns the line with id.
func (s State) Line(id uuid.UUID) (Line, bool) {
	for _, l := range s.Lines {
		if l.ID == id {
			return l, true
		}
	}
	return Line{}, false
}

// Payment returns the payment with id.
func (s State) Payment(id uuid.UUID) (Payment, bool) {
	for _, p := range s.Payments {
		if p.ID == id {
			return p, true
		}
	}
	return Payment{}, false
}

// Priced computes the totals and every line's amounts.
func (s State) Priced() (Totals, []PricedLine, error) {
	cur := s.Currency
	in := make([]tax.Line, len(s.Lines))
	for i, l := range s.Lines {
		amt, err := quantity.MulMoney(l.UnitPrice, l.Quantity, s.Rounding)
		if err != nil {
			return Totals{}, nil, outOfRange(err)
		}
		d, err := l.DiscountRule.Of(amt, s.Rounding)
		if err != nil {
			return Totals{}, nil, outOfRange(err)
		}
		in[i] = tax.Line{Amount: amt, Discount: d, RateBP: l.TaxRateBP}
	}
	base := money.Zero(cur)
	for _, l := range in {
		b, err := l.Amount.Sub(l.Discount)
		if err != nil {
			return Totals{}, nil, outOfRange(err)
		}
		if base, err = base.Add(b); err != nil {
			return Totals{}, nil, outOfRange(err)
		}
	}
	sd, err := s.Discount.Of(base, s.Rounding)
	if err != nil {
		return Totals{}, nil, outOfRange(err)
	}
	tt, res, err := tax.Compute(cur, in, sd, s.Pricing())
	if err != nil {
		return Totals{}, nil, outOfRange(err)
	}
	t := Totals{Subtotal: tt.Subtotal, Discount: tt.Discount, Tax: tt.Tax, Total: tt.Total,
		Paid: money.Zero(cur), CashPaid: money.Zero(cur), NonCashPaid: money.Zero(cur)}
	for _, p := range s.Payments {
		dst := &t.NonCashPaid
		if p.Tender == TenderCash {
			dst = &t.CashPaid
		}
		if *dst, err = dst.Add(p.Amount); err != nil {
			return Totals{}, nil, outOfRange(err)
		}
		if t.Paid, err = t.Paid.Add(p.Amount); err != nil {
			return Totals{}, nil, outOfRange(err)
		}
	}
	diff, err := t.Paid.Sub(t.Total)
	if err != nil {
		return Totals{}, nil, outOfRange(err)
	}
	t.Change = diff.Max(money.Zero(cur))
	t.Due = money.New(max(0, -diff.Amount), cur)
	lines := make([]PricedLine, len(s.Lines))
	for i, l := range s.Lines {
		lines[i] = priced(l, res[i])
	}
	return t, lines, nil
}

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case SaleOpened:
		s = State{ID: e.SaleID, StoreID: e.StoreID, RegisterID: e.RegisterID, ShiftID: e.ShiftID, CashierID: e.CashierID,
			Currency: e.Currency, PricesIncludeTax: e.PricesIncludeTax, Rounding: e.Rounding, Status: StatusOpen,
			OpenedAt: e.OpenedAt, Upload: e.Upload, Imported: e.Imported, Flags: slices.Clone(e.Flags)}
	case LineAdded:
		s.Lines = append(slices.Clip(s.Lines), e.Line)
		s.Flags = addFlags(s.Flags, e.Flags)
	case LineRemoved:
		s.Lines = slices.DeleteFunc(slices.Clone(s.Lines), func(l Line) bool { return l.ID == e.LineID })
		s.RemovedLines = append(slices.Clip(s.RemovedLines), e.LineID)
	case DiscountApplied:
		if e.LineID == uuid.Nil {
			s.Discount = e.Discount
			break
		}
		s.Lines = slices.Clone(s.Lines)
		for i := range s.Lines {
			if s.Lines[i].ID == e.LineID {
				s.Lines[i].DiscountRule = e.Discount
			}
		}
	case PaymentAdded:
		s.Payments = append(slices.Clip(s.Payments), e.Payment)
	case CheckoutStarted:
		s.Status = StatusCheckout
	case SaleCompleted:
		// The completion is the sale's record: its lines, sale discount and tenders stand as
		// it carries them (the same as the events before it left them, or, for a one-shot
		// sale written as its opening and completion alone, the only record of them).
		s.Status, s.ReceiptNumber, s.CompletedAt = StatusCompleted, e.ReceiptNumber, e.CompletedAt
		s.Flags = addFlags(s.Flags, e.Flags)
		s.Lines = make([]Line, len(e.Lines))
		for i, l := range e.Lines {
			s.Lines[i] = l.Line
		}
		s.Discount, s.Payments = e.SaleDiscount, slices.Clone(e.Payments)
	case SaleVoided:
		s.Status, s.VoidReason = StatusVoided, e.Reason
	}
	return s
}

func addFlags(have, add []string) []string {
	out := slices.Clip(have)
	for _, f := range add {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
