package register

import (
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/rules"
)

// Rule errors of the register.
var (
	// ErrShiftAlreadyOpen: another shift is open on the register.
	ErrShiftAlreadyOpen = &rules.RuleError{Code: "shift_already_open", Msg: "another shift is open on this register", Conflict: true}
	// ErrShiftNotOpen: the shift is not the register's open shift.
	ErrShiftNotOpen = &rules.RuleError{Code: "shift_not_open", Msg: "the shift is not open on this register", Conflict: true}
	// ErrHistoryRegister: the register holds imported history; live sales cannot take its
	// receipt numbers (imported sales keep the numbers they had).
	ErrHistoryRegister = &rules.RuleError{Code: "history_register", Msg: "the register holds imported history and takes no live sales", Conflict: true}
)

// Command is a register command.
type Command interface{ isCommand() }

// CreateRegister adds a register to a store.
type CreateRegister struct {
	RegisterID uuid.UUID
	StoreID    uuid.UUID
	Code       string
	Name       string
	// History reserves the register for imported history (see ErrHistoryRegister).
	History bool
}

// OpenShift makes ShiftID the open shift; a no-op if it already is.
type OpenShift struct {
	ShiftID uuid.UUID
}

// CloseShift closes ShiftID and assigns the next Z number; a no-op if it was closed already.
type CloseShift struct {
	ShiftID uuid.UUID
}

// ReserveReceiptNumber assigns the next receipt number to SaleID. The register does not keep
// every sale's number (its state would grow with every sale ever rung): a retry finds the
// number already reserved by the event ID the command layer derives from the sale, never by
// deciding again (see doc.go).
type ReserveReceiptNumber struct {
	SaleID uuid.UUID
}

func (CreateRegister) isCommand()       {}
func (OpenShift) isCommand()            {}
func (CloseShift) isCommand()           {}
func (ReserveReceiptNumber) isCommand() {}

// State is a register as decided upon.
type State struct {
	ID      uuid.UUID
	StoreID uuid.UUID
	Code    string
	Name    string
	// History is true for a register reserved for imported history.
	History bool
	// OpenShiftID is the open shift, uuid.Nil when none is.
	OpenShiftID uuid.UUID
	// LastZ is the last Z number given; LastReceipt the last receipt number.
	LastZ       int64
	LastReceipt int64
	zByShift    map[uuid.UUID]int64
}

// Exists reports whether the register was created.
func (s State) Exists() bool { return s.ID != uuid.Nil }

// Clone returns a copy of s that shares no map with it: Evolve on either leaves the other as
// it was (Evolve updates the Z numbers' map in place).
func (s State) Clone() State {
	s.zByShift = maps.Clone(s.zByShift)
	return s
}

// ZNumberOf returns the Z number of a closed shift, if it was closed.
func (s State) ZNumberOf(shiftID uuid.UUID) (int64, bool) {
	n, ok := s.zByShift[shiftID]
	return n, ok
}

// Decide handles register commands.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	if _, ok := c.(CreateRegister); !ok && !s.Exists() {
		return nil, rules.ErrNotFound
	}
	switch c := c.(type) {
	case CreateRegister:
		var v rules.Validator
		v.Text("code", c.Code, rules.MaxCode)
		v.Text("name", c.Name, rules.MaxName)
		v.Check(c.RegisterID != uuid.Nil, "id", "is required")
		v.Check(c.StoreID != uuid.Nil, "store_id", "is required")
		v.Check(c.Code != "", "code", "is required")
		if err := v.Err(); err != nil {
			return nil, err
		}
		if s.Exists() {
			if s.StoreID == c.StoreID && s.Code == c.Code && s.Name == c.Name && s.History == c.History {
				return nil, nil
			}
			return nil, rules.ErrAlreadyExists
		}
		return []Event{RegisterCreated{RegisterID: c.RegisterID, StoreID: c.StoreID, Code: c.Code, Name: c.Name, History: c.History}}, nil
	case OpenShift:
		if c.ShiftID == uuid.Nil {
			return nil, rules.ErrValidation
		}
		if _, closed := s.zByShift[c.ShiftID]; closed {
			// It was opened, and has closed since: a retry of its open is a no-op here, and
			// the shift stream answers it (a closed shift never reopens: Z numbers are final).
			return nil, nil
		}
		switch s.OpenShiftID {
		case c.ShiftID:
			return nil, nil
		case uuid.Nil:
			return []Event{ShiftOpened{RegisterID: s.ID, ShiftID: c.ShiftID, OpenedAt: now}}, nil
		}
		return nil, ErrShiftAlreadyOpen.With("open shift " + s.OpenShiftID.String())
	case CloseShift:
		if _, closed := s.zByShift[c.ShiftID]; closed {
			return nil, nil
		}
		if s.OpenShiftID != c.ShiftID || c.ShiftID == uuid.Nil {
			return nil, ErrShiftNotOpen
		}
		return []Event{ShiftClosed{RegisterID: s.ID, ShiftID: c.ShiftID, ZNumber: s.LastZ + 1, ClosedAt: now}}, nil
	case ReserveReceiptNumber:
		if c.SaleID == uuid.Nil {
			return nil, rules.ErrValidation
		}
		if s.History {
			return nil, ErrHistoryRegister
		}
		return []Event{ReceiptNumberReserved{RegisterID: s.ID, SaleID: c.SaleID, Number: s.LastReceipt + 1}}, nil
	}
	return nil, rules.ErrUnknownCommand
}

// Evolve applies e to s (updating its maps in place).
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case RegisterCreated:
		s = State{ID: e.RegisterID, StoreID: e.StoreID, Code: e.Code, Name: e.Name, History: e.History,
			zByShift: map[uuid.UUID]int64{}}
	case ShiftOpened:
		s.OpenShiftID = e.ShiftID
	case ShiftClosed:
		s.zByShift[e.ShiftID] = e.ZNumber
		s.LastZ = e.ZNumber
		if s.OpenShiftID == e.ShiftID {
			s.OpenShiftID = uuid.Nil
		}
	case ReceiptNumberReserved:
		s.LastReceipt = e.Number
	}
	return s
}
