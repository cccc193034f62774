// Package salestest builds the master data that sale and shift tests need — a store with its
// settings, registers, tax codes, products, price changes — directly through the command
// handler on the domain aggregates, and mints access tokens for test users. Test support only.
package salestest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api"
	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
)

// Currency of every fixture.
const Currency = "EUR"

// EUR returns cents in the fixtures' currency.
func EUR(cents int64) money.Money { return money.New(cents, Currency) }

// Settings returns the default store settings with prices including tax or not.
func Settings(pricesIncludeTax bool) store.Settings {
	s := store.DefaultSettings()
	s.PricesIncludeTax = pricesIncludeTax
	s.AllowNegativeStock = true
	return s
}

func cmd(op string) commands.Context {
	return commands.Context{ID: "fixture:" + op, UserID: "fixture", CorrelationID: "fixture", OccurredAt: time.Now().UTC()}
}

func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("fixture %s: %v", what, err)
	}
}

// NewStore creates a store with settings and returns its ID.
func NewStore(t testing.TB, h *commands.Handler, code string, settings store.Settings) uuid.UUID {
	t.Helper()
	id := uuid.New()
	c := store.CreateStore{StoreID: id, Code: code, Name: "Store " + code, Currency: Currency, Timezone: "Europe/Amsterdam", Settings: settings}
	_, err := commands.Execute(context.Background(), h, commands.StoreStream(id), commands.StoreAggregate, cmd("store:"+id.String()),
		func(s store.State) ([]store.Event, error) { return store.Decide(s, c, time.Now()) })
	must(t, "store", err)
	return id
}

// NewRegister adds a register to a store and returns its ID.
func NewRegister(t testing.TB, h *commands.Handler, storeID uuid.UUID, code string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	c := register.CreateRegister{RegisterID: id, StoreID: storeID, Code: code, Name: "Till " + code}
	_, err := commands.Execute(context.Background(), h, commands.RegisterStream(id), commands.RegisterAggregate, cmd("register:"+id.String()),
		func(s register.State) ([]register.Event, error) { return register.Decide(s, c, time.Now()) })
	must(t, "register", err)
	return id
}

// NewTaxCode defines a tax code (and reserves its code, as the catalog does) and returns its ID.
func NewTaxCode(t testing.TB, h *commands.Handler, code string, rateBP int64) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	id := uuid.New()
	_, err := commands.Claim(ctx, h, cmd("taxcode:"+id.String()), commands.TaxCodeKey(code), id.String())
	must(t, "tax code key", err)
	c := taxcode.CreateTaxCode{TaxCodeID: id, Code: code, Name: code, RateBP: rateBP}
	_, err = commands.Execute(ctx, h, commands.TaxCodeStream(id), commands.TaxCodeAggregate, cmd("taxcode:"+id.String()),
		func(s taxcode.State) ([]taxcode.Event, error) { return taxcode.Decide(s, c, time.Now()) })
	must(t, "tax code", err)
	return id
}

// Product describes a product to create.
type Product struct {
	SKU          string
	Price        int64
	TaxCode      string
	SoldByWeight bool
	TrackStock   bool
}

// NewProduct creates a product and returns its ID.
func NewProduct(t testing.TB, h *commands.Handler, p Product) uuid.UUID {
	t.Helper()
	id := uuid.New()
	c := catalog.CreateProduct{ProductID: id, SKU: p.SKU, Name: "Product " + p.SKU, Category: "test", Price: EUR(p.Price),
		TaxCode: p.TaxCode, SoldByWeight: p.SoldByWeight, TrackStock: p.TrackStock}
	_, err := commands.Execute(context.Background(), h, commands.ProductStream(id), commands.ProductAggregate, cmd("product:"+id.String()),
		func(s catalog.State) ([]catalog.Event, error) { return catalog.Decide(s, c, time.Now()) })
	must(t, "product", err)
	return id
}

// ChangePrice sets a product's price from now on.
func ChangePrice(t testing.TB, h *commands.Handler, productID uuid.UUID, cents int64) {
	t.Helper()
	ChangePriceAt(t, h, productID, cents, time.Now())
}

// ChangePriceAt sets a product's price from at on.
func ChangePriceAt(t testing.TB, h *commands.Handler, productID uuid.UUID, cents int64, at time.Time) {
	t.Helper()
	c := catalog.ChangePrice{Price: EUR(cents), EffectiveAt: at}
	_, err := commands.Execute(context.Background(), h, commands.ProductStream(productID), commands.ProductAggregate, cmd("price:"+uuid.NewString()),
		func(s catalog.State) ([]catalog.Event, error) { return catalog.Decide(s, c, at) })
	must(t, "price change", err)
}

// Deactivate stops a product from being sold from now on.
func Deactivate(t testing.TB, h *commands.Handler, productID uuid.UUID) {
	t.Helper()
	DeactivateAt(t, h, productID, time.Now())
}

// DeactivateAt stops a product from being sold from at on.
func DeactivateAt(t testing.TB, h *commands.Handler, productID uuid.UUID, at time.Time) {
	t.Helper()
	_, err := commands.Execute(context.Background(), h, commands.ProductStream(productID), commands.ProductAggregate, cmd("deactivate:"+uuid.NewString()),
		func(s catalog.State) ([]catalog.Event, error) {
			return catalog.Decide(s, catalog.Deactivate{Reason: "test"}, at)
		})
	must(t, "deactivate", err)
}

// Token mints an access token for a user registered for it (see apitest.Token).
func Token(t testing.TB, a *api.API, userID string, role authz.Role, storeIDs ...string) string {
	t.Helper()
	return apitest.Token(t, a, userID, role, storeIDs...)
}
