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
		return []Event{CashMovementRecorded{ShiftID: s.ID, MovementID: c.MovementID, Type: c.Type, Amount: c.Amount, Reason: c.Reason, At: now}}, nil
	case RecordCashSale:
		// A sale's cash is recorded by its completion only, after the sale's checkout; a repeat
		// is found there by its event ID, so the state need not remember every sale.
		if err := checkCash(s, c.Amount); err != nil {
			return nil, err
		}
		return []Event{CashSaleRecorded{ShiftID: s.ID, SaleID: c.SaleID, Amount: c.Amount, AfterClose: s.Closed}}, nil
	case RecordCashRefund:
		if err := checkCash(s, c.Amount); err != nil {
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

func checkCash(s State, m money.Money) error {
	if m.Currency != s.OpeningFloat.Currency {
		return rules.ErrCurrencyMismatch
	}
	if m.Amount < 0 {
		return &rules.ValidationError{Fields: []rules.FieldError{{Field: "amount", Message: "must not be negative"}}}
	}
	return nil
}

func decideOpen(s State, c Open, now time.Time) ([]Event, error) {
	var v rules.Validator
	v.Check(c.ShiftID != uuid.Nil, "id", "is required")
	v.Check(c.RegisterID != uuid.Nil, "register_id", "is required")
	v.Check(c.StoreID != uuid.Nil, "store_id", "is required")
	v.Check(c.OpeningFloat.Validate() == nil, "opening_float.currency", "must be an ISO 4217 code")
	v.Check(c.OpeningFloat.Amount >= 0, "opening_float.amount", "must not be negative")
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
	if err != nil {
		return nil, err
	}
	overShort, err := c.CountedCash.Sub(expected)
	if err != nil {
		return nil, err
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
