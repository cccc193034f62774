package shift

import (
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
)

// State is a shift as decided upon. Its maps are updated in place by Evolve: treat a State
// passed to Evolve as consumed.
type State struct {
	ID           uuid.UUID
	StoreID      uuid.UUID
	RegisterID   uuid.UUID
	CashierID    string
	OpeningFloat money.Money
	OpenedAt     time.Time
	// Closed is set once the shift closed; ClosedAt and Close then hold the close.
	Closed   bool
	ClosedAt time.Time
	Close    ShiftClosed
	// Running cash figures of the open shift (AfterClose records excluded).
	CashSales   money.Money
	CashRefunds money.Money
	PaidIn      money.Money
	PaidOut     money.Money
	SalesCount  int
	// LateSales and LateRefunds count records that arrived after the close.
	LateSales   int
	LateRefunds int
	seen        map[uuid.UUID]bool
}

// Exists reports whether the shift was opened.
func (s State) Exists() bool { return s.ID != uuid.Nil }

// Clone returns a copy of s that shares no map with it: Evolve on either leaves the other as
// it was (Evolve updates the remembered IDs in place).
func (s State) Clone() State {
	s.seen = maps.Clone(s.seen)
	return s
}

// OpenAt reports whether the shift was open at t (opened at or before t, not closed before t).
func (s State) OpenAt(t time.Time) bool {
	return s.Exists() && !t.Before(s.OpenedAt) && (!s.Closed || !t.After(s.ClosedAt))
}

// ExpectedCash is float + cash sales − cash refunds + paid in − paid out.
func (s State) ExpectedCash() (money.Money, error) {
	e := s.OpeningFloat
	var err error
	for _, step := range []struct {
		m   money.Money
		neg bool
	}{{s.CashSales, false}, {s.CashRefunds, true}, {s.PaidIn, false}, {s.PaidOut, true}} {
		if step.neg {
			e, err = e.Sub(step.m)
		} else {
			e, err = e.Add(step.m)
		}
		if err != nil {
			return money.Money{}, err
		}
	}
	return e, nil
}

func add(a, b money.Money) money.Money {
	s, err := a.Add(b)
	if err != nil { // amounts were checked by Decide; keep the old figure rather than corrupt it
		return a
	}
	return s
}

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case ShiftOpened:
		z := money.Zero(e.OpeningFloat.Currency)
		s = State{ID: e.ShiftID, StoreID: e.StoreID, RegisterID: e.RegisterID, CashierID: e.CashierID,
			OpeningFloat: e.OpeningFloat, OpenedAt: e.OpenedAt, CashSales: z, CashRefunds: z, PaidIn: z, PaidOut: z,
			seen: map[uuid.UUID]bool{}}
	case CashMovementRecorded:
		s.seen[e.MovementID] = true
		if e.Type == PaidIn {
			s.PaidIn = add(s.PaidIn, e.Amount)
		} else {
			s.PaidOut = add(s.PaidOut, e.Amount)
		}
	case CashSaleRecorded:
		// Not remembered in seen: a shift takes one per sale, and the command layer finds a
		// repeat by its event ID after the sale's checkout (see Decide).
		if e.AfterClose {
			s.LateSales++
		} else {
			s.CashSales = add(s.CashSales, e.Amount)
			s.SalesCount++
		}
	case CashRefundRecorded:
		s.seen[e.ReturnID] = true
		if e.AfterClose {
			s.LateRefunds++
		} else {
			s.CashRefunds = add(s.CashRefunds, e.Amount)
		}
	case ShiftClosed:
		s.Closed, s.ClosedAt, s.Close = true, e.ClosedAt, e
	}
	return s
}
