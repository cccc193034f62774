package commands

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/shift"
)

// Shifts handles the shift (cash drawer) commands. One open shift per register and the Z
// numbers are the register aggregate's; the drawer's figures are the shift aggregate's.
//
// Cash of sales reaches the shift from the sale completion itself (see Sales.Complete): a sale
// records its cash on the shift stream before it takes a receipt number, and a live sale is
// refused there once the shift has closed. The shift stream thus orders every sale against the
// close, so Close computes the expected cash from every sale it will ever count, with no
// policy to wait for. Cash refunds arrive through RecordCashRefund (the returns handlers).
type Shifts struct {
	h   *Handler
	now func() time.Time
}

// NewShifts returns the shift command handlers.
func NewShifts(h *Handler, now func() time.Time) *Shifts {
	return &Shifts{h: h, now: now}
}

// OpenShift is the input of Shifts.Open. The cashier is the command's user.
type OpenShift struct {
	ShiftID      uuid.UUID
	RegisterID   uuid.UUID
	OpeningFloat money.Money
}

// CloseShift is the input of Shifts.Close.
type CloseShift struct {
	ShiftID     uuid.UUID
	CountedCash money.Money
	// Approval allows an over/short beyond the store's cash tolerance.
	Approval *rules.Approval
}

// Register returns a register (for store scoping), or rules.ErrNotFound.
func (s *Shifts) Register(ctx context.Context, registerID uuid.UUID) (register.State, error) {
	l, err := Load(ctx, s.h, RegisterStream(registerID), RegisterAggregate)
	if err != nil {
		return register.State{}, err
	}
	if !l.Exists {
		return register.State{}, rules.ErrNotFound
	}
	return l.State, nil
}

// Get returns a shift folded from its stream, or rules.ErrNotFound.
func (s *Shifts) Get(ctx context.Context, shiftID uuid.UUID) (Loaded[shift.State], error) {
	l, err := Load(ctx, s.h, ShiftStream(shiftID), ShiftAggregate)
	if err != nil {
		return l, err
	}
	if !l.Exists {
		return l, rules.ErrNotFound
	}
	return l, nil
}

// Closing reports whether the register has given the shift its Z number (the close has
// started) and which.
func (s *Shifts) Closing(ctx context.Context, sh shift.State) (int64, bool, error) {
	reg, err := s.Register(ctx, sh.RegisterID)
	if err != nil {
		return 0, false, err
	}
	z, ok := reg.ZNumberOf(sh.ID)
	return z, ok, nil
}

// Open makes c.ShiftID the register's open shift (register stream), then opens the shift with
// its float (shift stream). Both steps are idempotent, so a retry after a failure between
// them completes the open.
func (s *Shifts) Open(ctx context.Context, cmd Context, c OpenShift) (Outcome[shift.State], error) {
	reg, err := loadRegisterOf(ctx, s.h, c.RegisterID, uuid.Nil, "register_id")
	if err != nil {
		return Outcome[shift.State]{}, err
	}
	st, err := loadStoreState(ctx, s.h, reg.State.StoreID, "register_id")
	if err != nil {
		return Outcome[shift.State]{}, err
	}
	now := s.now()
	open := shift.Open{ShiftID: c.ShiftID, StoreID: reg.State.StoreID, RegisterID: c.RegisterID, CashierID: cmd.UserID, OpeningFloat: c.OpeningFloat}
	// Refuse a bad command before it holds the register.
	if _, err := shift.Decide(shift.State{}, open, now); err != nil {
		return Outcome[shift.State]{}, err
	}
	if c.OpeningFloat.Currency != st.Currency {
		return Outcome[shift.State]{}, fieldError("opening_float.currency", "must be "+st.Currency)
	}
	regCmd := cmd
	regCmd.ID, regCmd.IfMatch = "shift.open.register:"+c.ShiftID.String(), nil
	if _, err := Execute(ctx, s.h, RegisterStream(c.RegisterID), RegisterAggregate, regCmd, func(r register.State) ([]register.Event, error) {
		return register.Decide(r, register.OpenShift{ShiftID: c.ShiftID}, now)
	}); err != nil {
		return Outcome[shift.State]{}, err
	}
	return run(ctx, s.h, ShiftStream(c.ShiftID), ShiftAggregate, cmd, func(sh shift.State) ([]shift.Event, error) {
		return shift.Decide(sh, open, now)
	})
}

// RecordCashMovement records a paid in or paid out.
func (s *Shifts) RecordCashMovement(ctx context.Context, cmd Context, shiftID uuid.UUID, c shift.RecordCashMovement) (Outcome[shift.State], error) {
	now := s.now()
	return run(ctx, s.h, ShiftStream(shiftID), ShiftAggregate, cmd, func(sh shift.State) ([]shift.Event, error) {
		return shift.Decide(sh, c, now)
	})
}

// Close closes a shift: the register assigns the Z number (reused on a retry), then the shift
// records the close with expected cash, counted cash and over/short. The close is first
// decided against the shift as loaded, so a close that needs an approval is refused before the
// register gives a Z number. Sales cannot slip past the close: see Shifts.
func (s *Shifts) Close(ctx context.Context, cmd Context, c CloseShift) (Outcome[shift.State], error) {
	loaded, err := s.Get(ctx, c.ShiftID)
	if err != nil {
		return Outcome[shift.State]{}, err
	}
	if cmd.IfMatch != nil && *cmd.IfMatch != loaded.Revision {
		return Outcome[shift.State]{}, ErrPreconditionFailed
	}
	st, err := loadStoreState(ctx, s.h, loaded.State.StoreID, "store_id")
	if err != nil {
		return Outcome[shift.State]{}, err
	}
	reg, err := s.Register(ctx, loaded.State.RegisterID)
	if err != nil {
		return Outcome[shift.State]{}, err
	}
	now := s.now()
	z, ok := reg.ZNumberOf(c.ShiftID)
	if !ok {
		z = reg.LastZ + 1
	}
	closeCmd := shift.Close{CountedCash: c.CountedCash, ZNumber: z, Tolerance: st.Settings.CashTolerance, Approval: c.Approval}
	if _, err := shift.Decide(loaded.State, closeCmd, now); err != nil {
		return Outcome[shift.State]{}, err
	}
	regCmd := cmd
	regCmd.ID, regCmd.IfMatch = "shift.close.register:"+c.ShiftID.String(), nil
	res, err := retryHot(ctx, 20, func() (Result, error) {
		return Execute(ctx, s.h, RegisterStream(loaded.State.RegisterID), RegisterAggregate, regCmd, func(r register.State) ([]register.Event, error) {
			evs, err := register.Decide(r, register.CloseShift{ShiftID: c.ShiftID}, now)
			if n, ok := r.ZNumberOf(c.ShiftID); ok {
				z = n
			}
			for _, e := range evs {
				if sc, ok := e.(register.ShiftClosed); ok {
					z = sc.ZNumber
				}
			}
			return evs, err
		})
	})
	if err != nil {
		return Outcome[shift.State]{}, err
	}
	for _, e := range res.Events {
		if sc, ok := e.(register.ShiftClosed); ok {
			z = sc.ZNumber
		}
	}
	closeCmd.ZNumber = z
	shiftCmd := cmd
	shiftCmd.IfMatch = nil
	// The state after the close comes from the append itself: a read after a successful
	// append must not turn the done close into an error.
	return run(ctx, s.h, ShiftStream(c.ShiftID), ShiftAggregate, shiftCmd, func(sh shift.State) ([]shift.Event, error) {
		return shift.Decide(sh, closeCmd, now)
	})
}
