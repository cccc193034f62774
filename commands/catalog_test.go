package commands_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/taxcode"
)

func newCatalog(t *testing.T) (*commands.Catalog, *commands.Handler) {
	t.Helper()
	h, _ := writeSide(t)
	c := commands.NewCatalog(h, time.Now)
	id := uuid.New()
	if _, err := c.CreateTaxCode(context.Background(), commands.Context{ID: "tc:" + id.String()}, taxcode.CreateTaxCode{TaxCodeID: id, Code: "VAT_HIGH", Name: "VAT 21%", RateBP: 2100}); err != nil {
		t.Fatal(err)
	}
	return c, h
}

func product(id uuid.UUID, sku string, barcodes ...string) catalog.CreateProduct {
	return catalog.CreateProduct{ProductID: id, SKU: sku, Barcodes: barcodes, Name: "Product " + sku, Price: money.New(199, "EUR"), TaxCode: "VAT_HIGH"}
}

func createProduct(c *commands.Catalog, p catalog.CreateProduct) error {
	_, err := c.CreateProduct(context.Background(), commands.Context{ID: "product.create:" + p.ProductID.String()}, p)
	return err
}

func TestTaxCodes(t *testing.T) {
	c, _ := newCatalog(t)
	ctx := context.Background()
	if _, err := c.CreateTaxCode(ctx, commands.Context{ID: "x"}, taxcode.CreateTaxCode{TaxCodeID: uuid.New(), Code: "vat_high", Name: "again", RateBP: 900}); !errors.Is(err, rules.ErrDuplicate) {
		t.Fatalf("second VAT_HIGH: %v", err)
	}
	tc, err := c.TaxCodeByCode(ctx, "Vat_High")
	if err != nil || tc.State.RateBP() != 2100 {
		t.Fatalf("by code: %+v, %v", tc.State, err)
	}
	if _, err := c.ChangeTaxRate(ctx, commands.Context{ID: "r"}, tc.State.ID, taxcode.ChangeRate{RateBP: 2200}); err != nil {
		t.Fatal(err)
	}
	if tc, _ = c.TaxCode(ctx, tc.State.ID); tc.State.RateBP() != 2200 || tc.Revision != 1 {
		t.Fatalf("after the change: %+v", tc)
	}
	if _, err := c.TaxCodeByCode(ctx, "NONE"); !errors.Is(err, rules.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
}

func TestSKUsAreUniqueUnderRaces(t *testing.T) {
	c, _ := newCatalog(t)
	const racers = 8
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = createProduct(c, product(uuid.New(), "APL-1"))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, rules.ErrDuplicate):
			t.Fatalf("a losing create got %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d products got SKU APL-1, want 1", won)
	}
}

func TestBarcodeClaimsAreReleasedWhenOneIsTaken(t *testing.T) {
	c, h := newCatalog(t)
	ctx := context.Background()
	first := product(uuid.New(), "A-1", "1111", "2222")
	if err := createProduct(c, first); err != nil {
		t.Fatal(err)
	}
	// B's SKU and first barcode are free, its second barcode is A's: nothing of B may stay held.
	b := product(uuid.New(), "B-1", "0000", "2222")
	err := createProduct(c, b)
	var re *rules.RuleError
	if !errors.Is(err, rules.ErrDuplicate) || !errors.As(err, &re) || re.Msg != "already in use: barcodes[1] 2222" {
		t.Fatalf("B with A's barcode: %v", err)
	}
	for _, key := range []string{commands.SKUKey("B-1"), commands.BarcodeKey("0000")} {
		if owner, _ := commands.Owner(ctx, h, key); owner != "" {
			t.Fatalf("%s still held by %s after the failed create", key, owner)
		}
	}
	if _, err := c.Product(ctx, b.ProductID); !errors.Is(err, rules.ErrNotFound) {
		t.Fatalf("B exists: %v", err)
	}
	// Once A gives the barcode up (deactivation does not), a retry of the same command claims
	// every key again (the released ones included) and creates B.
	if err := createProduct(c, product(uuid.New(), "C-1", "2222")); !errors.Is(err, rules.ErrDuplicate) {
		t.Fatalf("barcode 2222 reused: %v", err)
	}
	if _, err := commands.Release(ctx, h, commands.Context{ID: "free"}, commands.BarcodeKey("2222"), first.ProductID.String()); err != nil {
		t.Fatal(err)
	}
	if err := createProduct(c, b); err != nil {
		t.Fatalf("retry after the barcode was freed: %v", err)
	}
	for _, key := range []string{commands.SKUKey("b-1"), commands.BarcodeKey("0000"), commands.BarcodeKey("2222")} {
		if owner, _ := commands.Owner(ctx, h, key); owner != b.ProductID.String() {
			t.Fatalf("%s held by %q, want B", key, owner)
		}
	}
	got, err := c.ProductByBarcode(ctx, "0000")
	if err != nil || got.State.Created.SKU != "B-1" {
		t.Fatalf("by barcode: %+v, %v", got.State.Created, err)
	}
}

func TestProductLifecycle(t *testing.T) {
	c, h := newCatalog(t)
	ctx := context.Background()
	p := product(uuid.New(), "APL-1", "871")
	p.TaxCode = "vat_high"
	cmd := commands.Context{ID: "product.create:" + p.ProductID.String()}
	first, err := c.CreateProduct(ctx, cmd, p)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateProduct(ctx, cmd, p)
	if err != nil || !again.Replayed || again.Revision != first.Revision {
		t.Fatalf("retry = %+v, %v", again, err)
	}
	got, err := c.ProductBySKU(ctx, "apl-1")
	if err != nil || got.State.Created.TaxCode != "VAT_HIGH" || got.Revision != 0 {
		t.Fatalf("product = %+v at %d, %v; want the canonical tax code", got.State.Created, got.Revision, err)
	}
	// The same ID with other data: refused, and the other SKU is not held.
	other := product(p.ProductID, "PEAR-1")
	if err := createProduct(c, other); !errors.Is(err, rules.ErrAlreadyExists) {
		t.Fatalf("ID reuse: %v", err)
	}
	if owner, _ := commands.Owner(ctx, h, commands.SKUKey("PEAR-1")); owner != "" {
		t.Fatal("a refused create holds its SKU")
	}
	if err := createProduct(c, product(uuid.New(), "X-1", "9")); err != nil {
		t.Fatal(err)
	}
	bad := product(uuid.New(), "Y-1")
	bad.TaxCode = "NOPE"
	if err := createProduct(c, bad); !errors.Is(err, rules.ErrValidation) {
		t.Fatalf("unknown tax code: %v", err)
	}
	if _, err := c.ChangePrice(ctx, commands.Context{ID: "p1"}, p.ProductID, catalog.ChangePrice{Price: money.New(249, "EUR")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Deactivate(ctx, commands.Context{ID: "d1"}, p.ProductID, catalog.Deactivate{Reason: "recall"}); err != nil {
		t.Fatal(err)
	}
	if got, _ = c.Product(ctx, p.ProductID); got.State.Active() || got.State.Price().Amount != 249 {
		t.Fatalf("after price and deactivation: %+v", got.State)
	}
	if _, err := c.Reactivate(ctx, commands.Context{ID: "r1"}, p.ProductID); err != nil {
		t.Fatal(err)
	}
	if got, _ = c.Product(ctx, p.ProductID); !got.State.Active() || got.Revision != 3 {
		t.Fatalf("after reactivation: %+v at %d", got.State, got.Revision)
	}
	if _, err := c.Deactivate(ctx, commands.Context{ID: "d2"}, uuid.New(), catalog.Deactivate{}); !errors.Is(err, rules.ErrNotFound) {
		t.Fatalf("missing product: %v", err)
	}
}
