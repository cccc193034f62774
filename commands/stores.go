package commands

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/store"
)

// Stores handles the commands of stores and their registers.
type Stores struct {
	h   *Handler
	now func() time.Time
}

// NewStores returns the store and register command handlers.
func NewStores(h *Handler, now func() time.Time) *Stores {
	return &Stores{h: h, now: now}
}

// Create opens a store. Its code is reserved first (StoreCodeKey), so two stores cannot share
// a code; a retry with the same store ID returns the original result.
func (s *Stores) Create(ctx context.Context, cmd Context, c store.CreateStore) (Outcome[store.State], error) {
	return s.CreateWith(ctx, cmd, c, SettingsChange{})
}

// CreateWith is Create with change applied to c.Settings; its amounts must be in the store's
// currency.
func (s *Stores) CreateWith(ctx context.Context, cmd Context, c store.CreateStore, change SettingsChange) (Outcome[store.State], error) {
	now := s.now()
	var v rules.Validator
	c.Settings = change.Apply(&v, c.Settings, c.Currency)
	// Validate before reserving, so a bad command never holds a code.
	_, err := store.Decide(store.State{}, c, now)
	if err := v.Join(err); err != nil {
		return Outcome[store.State]{}, err
	}
	keys := []uniqueKey{{StoreCodeKey(c.Code), "store code " + c.Code}}
	held := func(st store.State) []string { return []string{StoreCodeKey(st.Code)} }
	return createUnique(ctx, s.h, cmd, StoreStream(c.StoreID), StoreAggregate, c.StoreID.String(), keys, held,
		func(st store.State) ([]store.Event, error) { return store.Decide(st, c, now) })
}

// SettingsChange is a partial change of a store's settings: nil fields keep their value.
// Amounts carry their currency, which must be the store's.
type SettingsChange struct {
	PricesIncludeTax   *bool
	Rounding           *money.RoundingMode
	AllowNegativeStock *bool
	CashierLimits      *CashierLimits
	CashTolerance      *money.Money
}

// CashierLimits are the cashier limits of a SettingsChange.
type CashierLimits struct {
	MaxDiscountBP int64
	MaxRefund     money.Money
}

// Apply returns st with the change's non-nil fields, and records in v each amount that is not
// in currency.
func (c SettingsChange) Apply(v *rules.Validator, st store.Settings, currency string) store.Settings {
	if c.PricesIncludeTax != nil {
		st.PricesIncludeTax = *c.PricesIncludeTax
	}
	if c.Rounding != nil {
		st.Rounding = *c.Rounding
	}
	if c.AllowNegativeStock != nil {
		st.AllowNegativeStock = *c.AllowNegativeStock
	}
	if l := c.CashierLimits; l != nil {
		v.Check(l.MaxRefund.Currency == currency, "cashier_limits.max_refund.currency", "must be the store's currency")
		st.CashierLimits = rules.Limits{MaxDiscountBP: l.MaxDiscountBP, MaxRefund: l.MaxRefund.Amount}
	}
	if t := c.CashTolerance; t != nil {
		v.Check(t.Currency == currency, "cash_tolerance.currency", "must be the store's currency")
		st.CashTolerance = t.Amount
	}
	return st
}

// ChangeSettings applies change to the store's current settings. The merge happens inside the
// decision, so a change that loses a race is merged again with the settings that won.
func (s *Stores) ChangeSettings(ctx context.Context, cmd Context, storeID uuid.UUID, change SettingsChange) (Outcome[store.State], error) {
	now := s.now()
	return run(ctx, s.h, StoreStream(storeID), StoreAggregate, cmd, func(st store.State) ([]store.Event, error) {
		var v rules.Validator
		settings := change.Apply(&v, st.Settings, st.Currency)
		events, err := store.Decide(st, store.ChangeSettings{Settings: settings}, now)
		if err := v.Join(err); err != nil {
			return nil, err
		}
		return events, nil
	})
}

// Get returns a store and the revision and position of its last event, or rules.ErrNotFound.
func (s *Stores) Get(ctx context.Context, storeID uuid.UUID) (Loaded[store.State], error) {
	return loadExisting(ctx, s.h, StoreStream(storeID), StoreAggregate)
}

// CreateRegister adds a register to an existing store. The register's code is reserved per
// store (RegisterCodeKey) before the register is created.
func (s *Stores) CreateRegister(ctx context.Context, cmd Context, c register.CreateRegister) (Outcome[register.State], error) {
	now := s.now()
	if _, err := register.Decide(register.State{}, c, now); err != nil {
		return Outcome[register.State]{}, err
	}
	if _, err := s.Get(ctx, c.StoreID); err != nil {
		return Outcome[register.State]{}, err
	}
	keys := []uniqueKey{{RegisterCodeKey(c.StoreID, c.Code), "register code " + c.Code}}
	held := func(st register.State) []string { return []string{RegisterCodeKey(st.StoreID, st.Code)} }
	return createUnique(ctx, s.h, cmd, RegisterStream(c.RegisterID), RegisterAggregate, c.RegisterID.String(), keys, held,
		func(st register.State) ([]register.Event, error) { return register.Decide(st, c, now) })
}

// Register returns a register, or rules.ErrNotFound.
func (s *Stores) Register(ctx context.Context, registerID uuid.UUID) (Loaded[register.State], error) {
	return loadExisting(ctx, s.h, RegisterStream(registerID), RegisterAggregate)
}

// loadExisting loads stream and returns rules.ErrNotFound when it has no events.
func loadExisting[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E]) (Loaded[S], error) {
	l, err := Load(ctx, h, stream, agg)
	if err != nil {
		return l, err
	}
	if !l.Exists {
		return l, rules.ErrNotFound
	}
	return l, nil
}
