package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/store"
)

// ErrTaxCodeUnknown is returned when a product names a tax code that does not exist.
var ErrTaxCodeUnknown = &rules.RuleError{Code: "tax_code_unknown", Msg: "the product's tax code does not exist"}

// fieldError is a one-field validation error.
func fieldError(field, msg string) error {
	return &rules.ValidationError{Fields: []rules.FieldError{{Field: field, Message: msg}}}
}

// Fingerprint returns a short digest of v's JSON form. Command IDs include it where a client
// ID may be sent again with other content: the same content replays, other content reaches
// the decider, which refuses the reused ID.
func Fingerprint(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "x"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// loadStoreState returns the store, or a validation error on field when it does not exist.
func loadStoreState(ctx context.Context, h *Handler, id uuid.UUID, field string) (store.State, error) {
	l, err := Load(ctx, h, StoreStream(id), StoreAggregate)
	return storeOf(l, err, field)
}

// storeOf is loadStoreState's answer for the store's load l (or its error err).
func storeOf(l Loaded[store.State], err error, field string) (store.State, error) {
	if err != nil {
		return store.State{}, err
	}
	if !l.Exists {
		return store.State{}, fieldError(field, "no such store")
	}
	return l.State, nil
}

// loadRegisterOf returns the register, or a validation error on field when it does not exist
// or (storeID set) is not a register of storeID.
func loadRegisterOf(ctx context.Context, h *Handler, id, storeID uuid.UUID, field string) (Loaded[register.State], error) {
	l, err := Load(ctx, h, RegisterStream(id), RegisterAggregate)
	return registerOf(l, err, storeID, field)
}

// registerOf is loadRegisterOf's answer for the register's load l (or its error err).
func registerOf(l Loaded[register.State], err error, storeID uuid.UUID, field string) (Loaded[register.State], error) {
	if err != nil {
		return l, err
	}
	if !l.Exists {
		return l, fieldError(field, "no such register")
	}
	if storeID != uuid.Nil && l.State.StoreID != storeID {
		return l, fieldError(field, "is not a register of store "+storeID.String())
	}
	return l, nil
}

// storeInfo is what a sale needs of its store.
func storeInfo(st store.State) sale.StoreInfo {
	return sale.StoreInfo{ID: st.ID, Currency: st.Currency, PricesIncludeTax: st.Settings.PricesIncludeTax, Rounding: st.Settings.Rounding}
}

// limitsOf returns the acting user's limits: none for managers and admins (unlimited), the
// store's cashier limits otherwise.
func limitsOf(st store.State, unlimited bool) rules.Limits {
	if unlimited {
		return rules.Limits{Unlimited: true}
	}
	return st.Settings.CashierLimits
}

// shiftInfo describes a shift to the sale decider. A shift the register has already closed
// (its Z number given) while the shift stream has not recorded the close yet counts as closed
// from now on, so no new sale starts in a shift that is being closed.
func shiftInfo(sh shift.State, reg register.State, now time.Time) sale.ShiftInfo {
	info := sale.ShiftInfo{ID: sh.ID, RegisterID: sh.RegisterID, OpenedAt: sh.OpenedAt}
	switch _, closing := reg.ZNumberOf(sh.ID); {
	case sh.Closed:
		info.ClosedAt = sh.ClosedAt
	case closing:
		info.ClosedAt = now
	}
	return info
}

// loadShiftInfo loads a shift and its register's view of it.
func loadShiftInfo(ctx context.Context, h *Handler, shiftID uuid.UUID, reg register.State, now time.Time) (sale.ShiftInfo, Loaded[shift.State], error) {
	l, err := Load(ctx, h, ShiftStream(shiftID), ShiftAggregate)
	if err != nil {
		return sale.ShiftInfo{}, l, err
	}
	if !l.Exists {
		return sale.ShiftInfo{}, l, sale.ErrShiftNotOpen.With("no such shift")
	}
	return shiftInfo(l.State, reg, now), l, nil
}

// retryHot runs run again while it loses races (ErrConflict), with a short random pause, up to
// attempts times. It serves streams many writers share at once, such as a busy register's
// receipt counter: the pause is jittered so racing writers spread out instead of colliding in
// lockstep as Execute's fixed doubling would make them.
func retryHot(ctx context.Context, attempts int, run func() (Result, error)) (Result, error) {
	for i := 1; ; i++ {
		res, err := run()
		if err == nil || !errors.Is(err, ErrConflict) || i >= attempts {
			return res, err
		}
		pause := time.Duration(rand.Int64N(int64(time.Millisecond) * int64(min(i, 20))))
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
	}
}

// contextRead is a sale's context as loadSaleContexts read it, or the error loadSaleContext
// would have returned.
type contextRead struct {
	sc  saleContext
	err error
}

// loadSaleContexts is loadSaleContext for every sale of cs at once: their streams, registers,
// shifts, stores and products (each distinct one once) in one multi-stream read, then the tax
// codes (see prefetch). Each answer is loadSaleContext's for its sale, as of that read.
func loadSaleContexts(ctx context.Context, h *Handler, cs []CreateSale, ls *saleLoads) []contextRead {
	type (
		registerLoad struct {
			l   Loaded[register.State]
			err error
		}
		shiftLoad struct {
			l   Loaded[shift.State]
			err error
		}
	)
	var (
		ra        readAhead
		lines     []SaleLine
		sales     = make([]Loaded[sale.State], len(cs))
		saleErrs  = make([]error, len(cs))
		stores    = map[uuid.UUID]func() (store.State, error){}
		registers = map[uuid.UUID]*registerLoad{}
		shifts    = map[uuid.UUID]*shiftLoad{}
	)
	ra.trust = ls.trust
	for i, c := range cs {
		loadAhead(ctx, &ra, h, SaleStream(c.SaleID), SaleAggregate, &sales[i], &saleErrs[i])
		if stores[c.StoreID] == nil {
			stores[c.StoreID] = ls.storeAhead(ctx, &ra, c.StoreID, "store_id")
		}
		if registers[c.RegisterID] == nil {
			rl := &registerLoad{}
			loadAhead(ctx, &ra, h, RegisterStream(c.RegisterID), RegisterAggregate, &rl.l, &rl.err)
			registers[c.RegisterID] = rl
		}
		if shifts[c.ShiftID] == nil {
			sl := &shiftLoad{}
			loadAhead(ctx, &ra, h, ShiftStream(c.ShiftID), ShiftAggregate, &sl.l, &sl.err)
			shifts[c.ShiftID] = sl
		}
		lines = append(lines, c.Lines...)
	}
	ls.prefetch(ctx, &ra, lines) // runs ra
	out := make([]contextRead, len(cs))
	for i, c := range cs {
		st, stErr := stores[c.StoreID]()
		reg, regErr := registerOf(registers[c.RegisterID].l, registers[c.RegisterID].err, c.StoreID, "register_id")
		sh, shErr := shifts[c.ShiftID].l, shifts[c.ShiftID].err
		if shErr == nil && !sh.Exists {
			shErr = sale.ErrShiftNotOpen.With("no such shift")
		}
		out[i].sc = saleContext{store: st, register: reg, shift: sh, sale: sales[i]}
		for _, err := range []error{stErr, regErr, shErr, saleErrs[i]} {
			if err != nil {
				out[i] = contextRead{err: err}
				break
			}
		}
	}
	return out
}
