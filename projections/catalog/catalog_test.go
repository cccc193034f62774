package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	dcatalog "github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/catalog"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
)

func start(t *testing.T) (*readtest.Env, *catalog.Queries) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection { return []projections.Projection{catalog.New(c)} })
	return e, catalog.NewQueries(e.Pool)
}

var md = eventstore.Metadata{UserID: "u1", OccurredAt: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}

func product(id uuid.UUID, sku, name, category string, price int64, barcodes ...string) dcatalog.ProductCreated {
	th := quantity.FromInt(5)
	return dcatalog.ProductCreated{ProductID: id, SKU: sku, Name: name, Category: category, Barcodes: barcodes,
		Price: money.New(price, "EUR"), TaxCode: "STD", TrackStock: true, LowStockThreshold: &th}
}

func TestFoldStoresRegistersTaxCodes(t *testing.T) {
	e, q := start(t)
	ctx := context.Background()
	s1, s2, reg, shift, tc := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	e.Append("store-"+s1.String(), md, store.StoreCreated{StoreID: s1, Code: "S1", Name: "Main street", Currency: "EUR", Timezone: "Europe/Paris",
		Settings: store.DefaultSettings()})
	e.Append("store-"+s2.String(), md, store.StoreCreated{StoreID: s2, Code: "S2", Name: "Harbour", Currency: "EUR", Timezone: "Europe/Paris",
		Settings: store.DefaultSettings()})
	settings := store.DefaultSettings()
	settings.PricesIncludeTax, settings.Rounding = true, money.HalfEven
	e.Append("store-"+s1.String(), md, store.StoreSettingsChanged{StoreID: s1, Settings: settings})
	e.Append("register-"+reg.String(), md, register.RegisterCreated{RegisterID: reg, StoreID: s1, Code: "R1", Name: "Till 1"},
		register.ShiftOpened{RegisterID: reg, ShiftID: shift})
	e.Append("taxcode-"+tc.String(), md, taxcode.TaxCodeCreated{TaxCodeID: tc, Code: "STD", Name: "Standard", RateBP: 2000},
		taxcode.TaxRateChanged{TaxCodeID: tc, OldRateBP: 2000, RateBP: 2100, EffectiveAt: md.OccurredAt})
	e.Sync(catalog.Name)

	stores, err := q.Stores(ctx, catalog.StoreFilter{}, readkit.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if len(stores.Items) != 2 || stores.Items[0].Code != "S1" || !stores.Items[0].PricesIncludeTax || stores.Items[0].Rounding != "half_even" {
		t.Fatalf("stores: %+v", stores.Items)
	}
	scoped, err := q.Stores(ctx, catalog.StoreFilter{StoreIDs: []uuid.UUID{s2}}, readkit.Request{})
	if err != nil || len(scoped.Items) != 1 || scoped.Items[0].ID != s2 {
		t.Fatalf("scoped stores: %+v %v", scoped.Items, err)
	}
	regs, err := q.Registers(ctx, s1, readkit.Request{})
	if err != nil || len(regs.Items) != 1 || regs.Items[0].OpenShiftID == nil || *regs.Items[0].OpenShiftID != shift {
		t.Fatalf("registers: %+v %v", regs.Items, err)
	}
	e.Append("register-"+reg.String(), md, register.ShiftClosed{RegisterID: reg, ShiftID: shift, ZNumber: 7})
	e.Sync(catalog.Name)
	regs, _ = q.Registers(ctx, s1, readkit.Request{})
	if regs.Items[0].OpenShiftID != nil || regs.Items[0].LastZNumber == nil || *regs.Items[0].LastZNumber != 7 {
		t.Fatalf("register after close: %+v", regs.Items[0])
	}
	if other, _ := q.Registers(ctx, s2, readkit.Request{}); len(other.Items) != 0 {
		t.Fatalf("registers of s2: %+v", other.Items)
	}
	tcs, err := q.TaxCodes(ctx, readkit.Request{})
	if err != nil || len(tcs.Items) != 1 || tcs.Items[0].RateBP != 2100 {
		t.Fatalf("tax codes: %+v %v", tcs.Items, err)
	}
}

func TestProductSearchAndFilters(t *testing.T) {
	e, q := start(t)
	ctx := context.Background()
	coffee, tea, beans := uuid.New(), uuid.New(), uuid.New()
	e.Append("product-"+coffee.String(), md, product(coffee, "BEV-001", "Coffee", "drinks", 250, "4006381333931"))
	e.Append("product-"+tea.String(), md, product(tea, "BEV-002", "Green tea", "drinks", 200))
	e.Append("product-"+beans.String(), md, product(beans, "GRO-100", "Coffee beans 1kg", "grocery", 1299, "5000000000001"),
		dcatalog.ProductPriceChanged{ProductID: beans, Price: money.New(1399, "EUR")},
		dcatalog.ProductDeactivated{ProductID: beans})
	e.Sync(catalog.Name)

	names := func(f catalog.ProductFilter, sort string) []string {
		t.Helper()
		p, err := q.Products(ctx, f, readkit.Request{Sort: sort})
		if err != nil {
			t.Fatalf("products %+v: %v", f, err)
		}
		var out []string
		for _, it := range p.Items {
			out = append(out, it.Name)
		}
		return out
	}
	cases := []struct {
		name string
		f    catalog.ProductFilter
		sort string
		want []string
	}{
		{"typo finds coffee", catalog.ProductFilter{Q: "cofee"}, "", []string{"Coffee", "Coffee beans 1kg"}},
		{"substring", catalog.ProductFilter{Q: "tea"}, "", []string{"Green tea"}},
		{"sku substring", catalog.ProductFilter{Q: "gro-1"}, "", []string{"Coffee beans 1kg"}},
		{"barcode in q", catalog.ProductFilter{Q: "4006381333931"}, "", []string{"Coffee"}},
		{"barcode", catalog.ProductFilter{Barcode: "5000000000001"}, "", []string{"Coffee beans 1kg"}},
		{"sku", catalog.ProductFilter{SKU: "BEV-002"}, "", []string{"Green tea"}},
		{"category", catalog.ProductFilter{Category: "drinks"}, "-name", []string{"Green tea", "Coffee"}},
		{"inactive", catalog.ProductFilter{Active: new(false)}, "", []string{"Coffee beans 1kg"}},
		{"by price desc", catalog.ProductFilter{}, "-price", []string{"Coffee beans 1kg", "Coffee", "Green tea"}},
		{"no match", catalog.ProductFilter{Q: "zzzz"}, "", nil},
	}
	for _, c := range cases {
		if got := names(c.f, c.sort); !equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	p, _ := q.Products(ctx, catalog.ProductFilter{SKU: "GRO-100"}, readkit.Request{})
	if got := p.Items[0]; got.Price.Amount != 1399 || got.Active || got.LowStockThreshold == nil || got.LowStockThreshold.String() != "5" {
		t.Fatalf("beans: %+v", got)
	}
	if _, err := q.Products(ctx, catalog.ProductFilter{}, readkit.Request{Sort: "colour"}); err == nil {
		t.Fatal("unknown sort accepted")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
