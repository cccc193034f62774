package store

import (
	"time"
	// The time zone database is embedded so store time zones validate on hosts without one.
	_ "time/tzdata"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/tax"
)

// Event type names.
const (
	TypeStoreCreated         = "stores.store_created.v1"
	TypeStoreSettingsChanged = "stores.settings_changed.v1"
)

// Settings are a store's rules of operation.
type Settings struct {
	// PricesIncludeTax is true when shelf prices contain tax.
	PricesIncludeTax bool `json:"prices_include_tax"`
	// Rounding is the per-line tax rounding mode.
	Rounding money.RoundingMode `json:"rounding"`
	// AllowNegativeStock lets sales and adjustments take stock below zero. New stores allow
	// it (DefaultSettings): the till rings up what the customer hands over, and the negative
	// level shows in the stock read model; false makes sales refuse goods not on hand.
	AllowNegativeStock bool `json:"allow_negative_stock"`
	// CashierLimits are what a cashier may do without a manager's approval.
	CashierLimits rules.Limits `json:"cashier_limits"`
	// CashTolerance is the largest over/short, in minor units, a shift may close with unapproved.
	CashTolerance int64 `json:"cash_tolerance"`
}

// Pricing returns the tax pricing of the settings.
func (s Settings) Pricing() tax.Pricing {
	return tax.Pricing{Inclusive: s.PricesIncludeTax, Rounding: s.Rounding}
}

// DefaultSettings are used for fields a creating command leaves out. A new store sells into
// negative stock, as every real till does; refusing is the store's choice.
func DefaultSettings() Settings {
	return Settings{Rounding: money.HalfUp, AllowNegativeStock: true,
		CashierLimits: rules.Limits{MaxDiscountBP: 1000, MaxRefund: 5000}, CashTolerance: 500}
}

// Event is a store event.
type Event interface{ EventType() string }

// StoreCreated records a new store.
type StoreCreated struct {
	StoreID  uuid.UUID `json:"store_id"`
	Code     string    `json:"code"`
	Name     string    `json:"name"`
	Currency string    `json:"currency"`
	Timezone string    `json:"timezone"`
	Settings Settings  `json:"settings"`
}

// StoreSettingsChanged records new settings (the full set, old and new).
type StoreSettingsChanged struct {
	StoreID  uuid.UUID `json:"store_id"`
	Old      Settings  `json:"old"`
	Settings Settings  `json:"settings"`
}

// EventType returns TypeStoreCreated.
func (StoreCreated) EventType() string { return TypeStoreCreated }

// EventType returns TypeStoreSettingsChanged.
func (StoreSettingsChanged) EventType() string { return TypeStoreSettingsChanged }

// Register makes the store events known to r.
func Register(r rules.Registry) {
	r.Register(TypeStoreCreated, StoreCreated{})
	r.Register(TypeStoreSettingsChanged, StoreSettingsChanged{})
}

// Command is a store command.
type Command interface{ isCommand() }

// CreateStore opens a store. The code's uniqueness is a reservation of the commands layer.
type CreateStore struct {
	StoreID  uuid.UUID
	Code     string
	Name     string
	Currency string
	Timezone string
	Settings Settings
}

// ChangeSettings replaces the store's settings.
type ChangeSettings struct {
	Settings Settings
}

func (CreateStore) isCommand()    {}
func (ChangeSettings) isCommand() {}

// State is a store as decided upon.
type State struct {
	ID       uuid.UUID
	Code     string
	Name     string
	Currency string
	Timezone string
	Settings Settings
}

// Exists reports whether the store was created.
func (s State) Exists() bool { return s.ID != uuid.Nil }

func validateSettings(v *rules.Validator, st Settings) {
	v.Check(st.Rounding.Valid(), "rounding", "must be half_up or half_even")
	v.Check(st.CashierLimits.MaxDiscountBP >= 0 && st.CashierLimits.MaxDiscountBP <= 10000, "cashier_limits.max_discount_bp", "must be between 0 and 10000")
	v.Check(st.CashierLimits.MaxRefund >= 0, "cashier_limits.max_refund", "must not be negative")
	v.Check(st.CashierLimits.MaxRefund <= money.MaxAmount, "cashier_limits.max_refund", money.BoundsMessage)
	v.Check(st.CashTolerance >= 0, "cash_tolerance", "must not be negative")
	v.Check(st.CashTolerance <= money.MaxAmount, "cash_tolerance", money.BoundsMessage)
}

func normalize(st Settings) Settings {
	if st.Rounding == "" {
		st.Rounding = money.HalfUp
	}
	return st
}

// ValidTimezone reports whether name is an IANA time zone; "Local" (the host's zone) is not
// one. The zone database is embedded (time/tzdata), so the answer is the same on every host.
func ValidTimezone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// Decide handles store commands.
func Decide(s State, c Command, _ time.Time) ([]Event, error) {
	switch c := c.(type) {
	case CreateStore:
		var v rules.Validator
		v.Text("code", c.Code, rules.MaxCode)
		v.Text("name", c.Name, rules.MaxName)
		v.Check(c.Timezone == "" || ValidTimezone(c.Timezone), "timezone", "must be an IANA time zone such as Europe/Amsterdam")
		v.Check(c.StoreID != uuid.Nil, "id", "is required")
		v.Check(c.Code != "", "code", "is required")
		v.Check(c.Name != "", "name", "is required")
		v.Check(money.ValidCurrency(c.Currency), "currency", "must be an ISO 4217 code")
		v.Check(c.Timezone != "", "timezone", "is required")
		validateSettings(&v, c.Settings)
		if err := v.Err(); err != nil {
			return nil, err
		}
		e := StoreCreated{StoreID: c.StoreID, Code: c.Code, Name: c.Name, Currency: c.Currency, Timezone: c.Timezone, Settings: normalize(c.Settings)}
		if s.Exists() {
			if Evolve(State{}, e) == s {
				return nil, nil
			}
			return nil, rules.ErrAlreadyExists
		}
		return []Event{e}, nil
	case ChangeSettings:
		if !s.Exists() {
			return nil, rules.ErrNotFound
		}
		var v rules.Validator
		validateSettings(&v, c.Settings)
		if err := v.Err(); err != nil {
			return nil, err
		}
		st := normalize(c.Settings)
		if st == s.Settings {
			return nil, nil
		}
		return []Event{StoreSettingsChanged{StoreID: s.ID, Old: s.Settings, Settings: st}}, nil
	}
	return nil, rules.ErrUnknownCommand
}

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case StoreCreated:
		s = State{ID: e.StoreID, Code: e.Code, Name: e.Name, Currency: e.Currency, Timezone: e.Timezone, Settings: e.Settings}
	case StoreSettingsChanged:
		s.Settings = e.Settings
	}
	return s
}
