package shift

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
)

// Rule errors of the shift.
var (
	// ErrShiftClosed: the shift is closed; its figures are final.
	ErrShiftClosed = &rules.RuleError{Code: "shift_closed", Msg: "shift is closed", Conflict: true}
)

// Command is a shift command.
type Command interface{ isCommand() }

// Open opens a shift. The register aggregate must have accepted it as its open shift first.
type Open struct {
	ShiftID      uuid.UUID
	StoreID      uuid.UUID
	RegisterID   uuid.UUID
	CashierID    string
	OpeningFloat money.Money
}

// RecordCashMovement puts cash in (paid_in) or takes it out (paid_out) of the drawer.
type RecordCashMovement struct {
	MovementID uuid.UUID
	Type       string
	Amount     money.Money
	Reason     string
}

// RecordCashSale adds the cash a completing sale leaves in the drawer (see package doc).
type RecordCashSale struct {
	SaleID uuid.UUID
	Amount money.Money
}

// RecordCashRefund adds the cash a return paid out (policy).
type RecordCashRefund struct {
	ReturnID uuid.UUID
	Amount   money.Money
}

// Close closes the shift with the counted cash and the Z number the register assigned.
// Tolerance is the store's cash tolerance in minor units; an over/short beyond it needs an
// approval for rules.ActionShiftCloseOverShort.
type Close struct {
	CountedCash money.Money
	ZNumber     int64
	Tolerance   int64
	Approval    *rules.Approval
}

func (Open) isCommand()               {}
func (RecordCashMovement) isCommand() {}
func (RecordCashSale) isCommand()     {}
func (RecordCashRefund) isCommand()   {}
func (Close) isCommand()              {}

// Decide handles shift commands.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	if _, ok := c.(Open); !ok && !s.Exists() {
		return nil, rules.ErrNotFound
	}
	switch c := c.(type) {
	case Open:
		return decideOpen(s, c, now)
	case RecordCashMovement:
		var v rules.Validator
		v.Check(c.MovementID != uuid.Nil, "id", "is required")
		v.Check(c.Type == PaidIn || c.Type == PaidOut, "type", "must be paid_in or paid_out")
		v.Check(c.Amount.Amount > 0, "amount.amount", "must be positive")
		v.Amount("amount.amount", c.Amount)
		v.Check(c.Amount.Currency == s.OpeningFloat.Currency, "amount.currency", "must be "+s.OpeningFloat.Currency)
		v.Check(c.Reason != "", "reason", "is required")
		if err := v.Err(); err != nil {
			return nil, err
		}
		if s.seen[c.MovementID] {
			return nil, nil
		}
		if s.Closed {
			return nil, ErrShiftClosed
		}
		figure := func(s *State) *money.Money { return &s.PaidIn }
		if c.Type == PaidOut {
			figure = func(s *State) *money.Money { return &s.PaidOut }
		}
		if !fits(s, figure, c.Amount) {
			return nil, errRunning("amount.amount")
		}
		return []Event{CashMovementRecorded{ShiftID: s.ID, MovementID: c.MovementID, Type: c.Type, Amount: c.Amount, Reason: c.Reason, At: now}}, nil
	case RecordCashSale:
		// A sale's cash is recorded by its completion only, after the sale's checkout; a repeat
		// is found there by its event ID, so the state need not remember every sale.
		if err := checkCash(s, c.Amount, func(s *State) *money.Money { return &s.CashSales }); err != nil {
			return nil, err
		}
		return []Event{CashSaleRecorded{ShiftID: s.ID, SaleID: c.SaleID, Amount: c.Amount, AfterClose: s.Closed}}, nil
	case RecordCashRefund:
		if err := checkCash(s, c.Amount, func(s *State) *money.Money { return &s.CashRefunds }); err != nil {
			return nil, err
		}
		if s.seen[c.ReturnID] {
			return nil, nil
		}
		return []Event{CashRefundRecorded{ShiftID: s.ID, ReturnID: c.ReturnID, Amount: c.Amount, AfterClose: s.Closed}}, nil
	case Close:
		return decideClose(s, c, now)
	}
	return nil, rules.ErrUnknownCommand
}

// checkCash checks the cash of a sale or refund, and that the figure it adds to keeps the
// shift's expected cash computable (an open shift only: a late record changes no figure).
func checkCash(s State, m money.Money, figure func(*State) *money.Money) error {
	if m.Currency != s.OpeningFloat.Currency {
		return rules.ErrCurrencyMismatch
	}
	var v rules.Validator
	v.Check(m.Amount >= 0, "amount", "must not be negative")
	v.Amount("amount", m)
	if err := v.Err(); err != nil {
		return err
	}
	if !s.Closed && !fits(s, figure, m) {
		return errRunning("amount")
	}
	return nil
}

// fits reports whether adding m to the running figure that figure picks keeps it within int64
// with the expected cash still computable. Each amount is at most money.MaxAmount, so only
// some 10^8 records in one shift could fail it; refusing the one that would keeps the shift
// readable and closable, and its projection row in range.
func fits(s State, figure func(*State) *money.Money, m money.Money) bool {
	f := figure(&s) // s is a copy; its seen map is not touched
	sum, err := f.Add(m)
	if err != nil {
		return false
	}
	*f = sum
	_, err = s.ExpectedCash()
	return err == nil
}

func errRunning(field string) error {
	return &rules.ValidationError{Fields: []rules.FieldError{{Field: field, Message: "takes the shift's cash figures out of range"}}}
}

func decideOpen(s State, c Open, now time.Time) ([]Event, error) {
	var v rules.Validator
	v.Check(c.ShiftID != uuid.Nil, "id", "is required")
	v.Check(c.RegisterID != uuid.Nil, "register_id", "is required")
	v.Check(c.StoreID != uuid.Nil, "store_id", "is required")
	v.Check(c.OpeningFloat.Validate() == nil, "opening_float.currency", "must be an ISO 4217 code")
	v.Check(c.OpeningFloat.Amount >= 0, "opening_float.amount", "must not be negative")
	v.Amount("opening_float.amount", c.OpeningFloat)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if s.Exists() {
		if s.RegisterID == c.RegisterID && s.OpeningFloat == c.OpeningFloat && s.CashierID == c.CashierID {
			return nil, nil
		}
		return nil, rules.ErrAlreadyExists
	}
	return []Event{ShiftOpened{ShiftID: c.ShiftID, StoreID: c.StoreID, RegisterID: c.RegisterID, CashierID: c.CashierID, OpeningFloat: c.OpeningFloat, OpenedAt: now}}, nil
}

func decideClose(s State, c Close, now time.Time) ([]Event, error) {
	var v rules.Validator
	v.Check(c.CountedCash.Currency == s.OpeningFloat.Currency, "counted_cash.currency", "must be "+s.OpeningFloat.Currency)
	v.Check(c.CountedCash.Amount >= 0, "counted_cash.amount", "must not be negative")
	v.Amount("counted_cash.amount", c.CountedCash)
	v.Check(c.ZNumber > 0, "z_number", "must be assigned by the register")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if s.Closed {
		if s.Close.ZNumber == c.ZNumber && s.Close.CountedCash == c.CountedCash {
			return nil, nil
		}
		return nil, ErrShiftClosed
	}
	expected, err := s.ExpectedCash()
	if err != nil { // only a shift recorded before the bounds: its figures cannot close
		return nil, rules.ErrOutOfRange.With("the shift's expected cash overflows")
	}
	overShort, err := c.CountedCash.Sub(expected)
	if err != nil {
		return nil, rules.ErrOutOfRange.With("counted cash minus expected cash overflows")
	}
	approver := ""
	if d := overShort.Amount; d > c.Tolerance || -d > c.Tolerance {
		if err := rules.Require(c.Approval, rules.ActionShiftCloseOverShort); err != nil {
			return nil, err
		}
		approver = c.Approval.ApproverID
	}
	return []Event{ShiftClosed{
		ShiftID: s.ID, RegisterID: s.RegisterID, ZNumber: c.ZNumber, OpeningFloat: s.OpeningFloat,
		CashSales: s.CashSales, CashRefunds: s.CashRefunds, PaidIn: s.PaidIn, PaidOut: s.PaidOut,
		ExpectedCash: expected, CountedCash: c.CountedCash, OverShort: overShort, SalesCount: s.SalesCount,
		ApprovedBy: approver, ClosedAt: now,
	}}, nil
}
