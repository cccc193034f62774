package store

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
)

var decider = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}

func TestDecide(t *testing.T) {
	id := uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	create := CreateStore{StoreID: id, Code: "AMS1", Name: "Amsterdam", Currency: "EUR", Timezone: "Europe/Amsterdam", Settings: Settings{PricesIncludeTax: true}}
	created := StoreCreated{StoreID: id, Code: "AMS1", Name: "Amsterdam", Currency: "EUR", Timezone: "Europe/Amsterdam", Settings: Settings{PricesIncludeTax: true, Rounding: money.HalfUp}}
	even := Settings{Rounding: money.HalfEven, AllowNegativeStock: true}
	gwt.Run(t, decider, time.Unix(0, 0), []gwt.Case[Command, Event]{
		{Name: "a store is created with half-up rounding by default", When: create, Then: []Event{created}},
		{Name: "creating the same store again is a no-op", Given: []Event{created}, When: create},
		{Name: "creating a different store under the same id conflicts", Given: []Event{created}, When: CreateStore{StoreID: id, Code: "X", Name: "X", Currency: "EUR", Timezone: "UTC"}, Err: rules.ErrAlreadyExists},
		{Name: "a store needs code, name, currency and time zone", When: CreateStore{StoreID: id, Currency: "euro"}, Err: rules.ErrValidation},
		{Name: "a time zone must be an IANA zone", When: CreateStore{StoreID: id, Code: "A", Name: "A", Currency: "EUR", Timezone: "Mars/Olympus"}, Err: rules.ErrValidation},
		{Name: "the host's zone is not a store's", When: CreateStore{StoreID: id, Code: "A", Name: "A", Currency: "EUR", Timezone: "Local"}, Err: rules.ErrValidation},
		{Name: "a code holds no control character", When: CreateStore{StoreID: id, Code: "A\tB", Name: "A", Currency: "EUR", Timezone: "UTC"}, Err: rules.ErrValidation},
		{Name: "an unknown rounding mode is refused", When: CreateStore{StoreID: id, Code: "A", Name: "A", Currency: "EUR", Timezone: "UTC", Settings: Settings{Rounding: "ceil"}}, Err: rules.ErrValidation},
		{Name: "settings change records old and new", Given: []Event{created}, When: ChangeSettings{Settings: even}, Then: []Event{StoreSettingsChanged{StoreID: id, Old: created.Settings, Settings: even}}},
		{Name: "settings of a missing store", When: ChangeSettings{Settings: even}, Err: rules.ErrNotFound},
		{Name: "a cash tolerance beyond money.MaxAmount is refused (issue 11.1)", Given: []Event{created}, When: ChangeSettings{Settings: Settings{Rounding: money.HalfUp, CashTolerance: money.MaxAmount + 1}}, Err: rules.ErrValidation},
		{Name: "a cashier refund limit beyond money.MaxAmount is refused (issue 11.1)", Given: []Event{created}, When: ChangeSettings{Settings: Settings{Rounding: money.HalfUp, CashierLimits: rules.Limits{MaxRefund: money.MaxAmount + 1}}}, Err: rules.ErrValidation},
	})
}
