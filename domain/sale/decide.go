package sale

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
)

// Decide handles sale commands at now.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	if o, ok := c.(OpenSale); ok {
		return decideOpen(s, o, now)
	}
	if !s.Exists() {
		return nil, rules.ErrNotFound
	}
	switch c := c.(type) {
	case AddLine:
		return decideAddLine(s, c)
	case RemoveLine:
		return decideRemoveLine(s, c)
	case ApplyDiscount:
		return decideDiscount(s, c)
	case AddPayment:
		return decidePayment(s, c)
	case StartCheckout:
		return decideCheckout(s, c, now)
	case CompleteSale:
		return decideComplete(s, c, now)
	case VoidSale:
		return decideVoid(s, c, now)
	}
	return nil, rules.ErrUnknownCommand
}

// DecideAll decides cmds one after the other, each against the state the previous ones left,
// and returns all events and the final state; it fails as a whole on the first error. The
// one-call sale of the HTTP API (lines, discount, payments, complete) is such a sequence.
func DecideAll(s State, cmds []Command, now time.Time) ([]Event, State, error) {
	var all []Event
	for _, c := range cmds {
		evs, err := Decide(s, c, now)
		if err != nil {
			return nil, s, err
		}
		for _, e := range evs {
			s = Evolve(s, e)
		}
		all = append(all, evs...)
	}
	return all, s, nil
}

// mustBeOpen refuses changes to a sale that is not open.
func mustBeOpen(s State) error {
	switch s.Status {
	case StatusOpen:
		return nil
	case StatusCheckout:
		return ErrSaleLocked
	case StatusCompleted:
		return ErrSaleClosed
	case StatusVoided:
		return ErrSaleVoided
	}
	return rules.ErrNotFound
}

// occurredAt is when the sale happens: the client's time for uploads, else the open time.
func (s State) occurredAt(now time.Time) time.Time {
	if s.Upload {
		return s.OpenedAt
	}
	return now
}

func decideOpen(s State, c OpenSale, now time.Time) ([]Event, error) {
	var v rules.Validator
	v.Check(c.SaleID != uuid.Nil, "id", "is required")
	v.Check(c.Store.ID != uuid.Nil, "store_id", "is required")
	v.Check(c.RegisterID != uuid.Nil, "register_id", "is required")
	v.Check(c.Shift.ID != uuid.Nil, "shift_id", "is required")
	v.Check(money.ValidCurrency(c.Store.Currency), "currency", "the store has no valid currency")
	v.Check(c.Store.Rounding.Valid(), "rounding", "the store has no valid rounding mode")
	v.Check(!c.Upload || !c.OccurredAt.IsZero(), "occurred_at", "is required for an upload")
	if c.Imported != nil {
		v.Check(c.Upload, "upload", "an imported sale is an upload")
		v.Check(c.Imported.Source != "" && c.Imported.Reference != "", "imported", "source and reference are required")
		v.Check(c.Imported.Difference.Amount == 0 || c.Imported.Difference.Currency == c.Store.Currency, "imported.difference.currency", "must be "+c.Store.Currency)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if s.Exists() {
		if s.RegisterID == c.RegisterID && s.ShiftID == c.Shift.ID && s.StoreID == c.Store.ID {
			return nil, nil
		}
		return nil, rules.ErrAlreadyExists
	}
	at := now
	if !c.OccurredAt.IsZero() && c.Upload {
		at = c.OccurredAt
	}
	var flags []string
	switch {
	case c.Shift.RegisterID != c.RegisterID:
		return nil, ErrShiftNotOpen.With("the shift belongs to another register")
	case !c.Shift.openAt(at):
		return nil, ErrShiftNotOpen
	case c.Upload && !c.Shift.ClosedAt.IsZero():
		flags = append(flags, FlagShiftClosed)
	case !c.Upload && !c.Shift.ClosedAt.IsZero():
		return nil, ErrShiftNotOpen
	}
	rounding, _ := money.ParseRoundingMode(string(c.Store.Rounding))
	return []Event{SaleOpened{SaleID: c.SaleID, StoreID: c.Store.ID, RegisterID: c.RegisterID, ShiftID: c.Shift.ID,
		CashierID: c.CashierID, Currency: c.Store.Currency, PricesIncludeTax: c.Store.PricesIncludeTax,
		Rounding: rounding, OpenedAt: at, Upload: c.Upload, Flags: flags, Imported: c.Imported}}, nil
}

// checkShiftNow checks the sale's shift at checkout and completion: a live sale needs it still
// open; an upload is only flagged when the shift closed since.
func checkShiftNow(s State, sh ShiftInfo) ([]string, error) {
	if sh.ID != s.ShiftID || sh.RegisterID != s.RegisterID {
		return nil, ErrShiftNotOpen.With("not the sale's shift")
	}
	if sh.ClosedAt.IsZero() {
		return nil, nil
	}
	if s.Upload {
		return []string{FlagShiftClosed}, nil
	}
	return nil, ErrShiftNotOpen
}

// completable checks a sale can complete and returns its figures.
func completable(s State) (Totals, []PricedLine, error) {
	if len(s.Lines) == 0 {
		return Totals{}, nil, ErrEmptySale
	}
	t, lines, err := s.Priced()
	if err != nil {
		return Totals{}, nil, err
	}
	if t.Due.Amount > 0 {
		return Totals{}, nil, ErrNotPaid.With("due " + t.Due.String())
	}
	if t.Change.Amount > t.CashPaid.Amount {
		return Totals{}, nil, ErrOverpayment
	}
	return t, lines, nil
}

func decideCheckout(s State, c StartCheckout, now time.Time) ([]Event, error) {
	switch s.Status {
	case StatusCheckout, StatusCompleted:
		return nil, nil
	case StatusVoided:
		return nil, ErrSaleVoided
	}
	if _, err := checkShiftNow(s, c.Shift); err != nil {
		return nil, err
	}
	t, _, err := completable(s)
	if err != nil {
		return nil, err
	}
	return []Event{CheckoutStarted{SaleID: s.ID, Totals: t}}, nil
}

func decideComplete(s State, c CompleteSale, now time.Time) ([]Event, error) {
	if c.ReceiptNumber <= 0 {
		return nil, &rules.ValidationError{Fields: []rules.FieldError{{Field: "receipt_number", Message: "must be reserved on the register"}}}
	}
	switch s.Status {
	case StatusCompleted:
		if s.ReceiptNumber == c.ReceiptNumber {
			return nil, nil
		}
		return nil, ErrSaleClosed
	case StatusVoided:
		return nil, ErrSaleVoided
	}
	flags, err := checkShiftNow(s, c.Shift)
	if err != nil {
		return nil, err
	}
	t, lines, err := completable(s)
	if err != nil {
		return nil, err
	}
	cashIn, err := t.CashPaid.Sub(t.Change)
	if err != nil {
		return nil, outOfRange(err)
	}
	return []Event{SaleCompleted{SaleID: s.ID, StoreID: s.StoreID, RegisterID: s.RegisterID, ShiftID: s.ShiftID,
		CashierID: s.CashierID, ReceiptNumber: c.ReceiptNumber, Lines: lines, SaleDiscount: s.Discount, Totals: t,
		Payments: slices.Clone(s.Payments), CashIn: cashIn, PricesIncludeTax: s.PricesIncludeTax,
		CompletedAt: s.occurredAt(now), Upload: s.Upload, Flags: addFlags(slices.Clone(s.Flags), flags)}}, nil
}

func decideVoid(s State, c VoidSale, now time.Time) ([]Event, error) {
	if s.Status == StatusVoided {
		return nil, nil
	}
	locked := s.Status == StatusCheckout
	if locked {
		if err := stranded(s, c.Shift); err != nil {
			return nil, err
		}
	} else if err := mustBeOpen(s); err != nil {
		return nil, err
	}
	if c.Reason == "" {
		return nil, &rules.ValidationError{Fields: []rules.FieldError{{Field: "reason", Message: "is required"}}}
	}
	approver := ""
	if len(s.Payments) > 0 {
		var err error
		if approver, err = c.Approvals.Require(rules.ActionSaleVoid); err != nil {
			return nil, err
		}
	}
	return []Event{SaleVoided{SaleID: s.ID, Reason: c.Reason, Payments: slices.Clone(s.Payments), ApprovedBy: approver,
		VoidedAt: now, InCheckout: locked}}, nil
}

// stranded checks that a sale locked in checkout can never complete, so that it may be
// voided: a live sale whose shift closed without recording its cash. Completion refuses to
// record a live sale's cash once its shift closed, so that state is final. Any other locked
// sale can still complete (an upload is recorded after the close and flagged; a sale whose
// cash the shift recorded is in the close's figures and must complete, or the drawer's
// expected cash would count money the sale no longer holds).
func stranded(s State, sh ShiftCash) error {
	switch {
	case s.Upload:
		return ErrSaleLocked.With("an upload completes after its shift closed")
	case sh.ShiftID != s.ShiftID:
		return ErrSaleLocked
	case !sh.Closed:
		return ErrSaleLocked.With("its shift is open: complete it")
	case sh.Recorded:
		return ErrSaleLocked.With("its shift counted its cash: complete it")
	}
	return nil
}
