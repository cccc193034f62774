package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/taxcode"
)

// Catalog handles the commands of tax codes and products, and looks them up on the write side
// (by ID, by code, by SKU, by barcode) for other handlers.
type Catalog struct {
	h   *Handler
	now func() time.Time
}

// NewCatalog returns the tax code and product command handlers.
func NewCatalog(h *Handler, now func() time.Time) *Catalog {
	return &Catalog{h: h, now: now}
}

// CreateTaxCode defines a tax code; its code is reserved first (TaxCodeKey). A command the
// decider refuses on its own (judged against no tax code) reserves nothing.
func (c *Catalog) CreateTaxCode(ctx context.Context, cmd Context, tc taxcode.CreateTaxCode) (Outcome[taxcode.State], error) {
	now := c.now()
	if _, err := taxcode.Decide(taxcode.State{}, tc, now); err != nil {
		return Outcome[taxcode.State]{}, err
	}
	keys := []uniqueKey{{TaxCodeKey(tc.Code), "tax code " + tc.Code}}
	held := func(s taxcode.State) []string { return []string{TaxCodeKey(s.Code)} }
	return createUnique(ctx, c.h, cmd, TaxCodeStream(tc.TaxCodeID), TaxCodeAggregate, tc.TaxCodeID.String(), keys, held,
		func(s taxcode.State) ([]taxcode.Event, error) { return taxcode.Decide(s, tc, now) })
}

// ChangeTaxRate sets a new rate of a tax code.
func (c *Catalog) ChangeTaxRate(ctx context.Context, cmd Context, taxCodeID uuid.UUID, change taxcode.ChangeRate) (Outcome[taxcode.State], error) {
	now := c.now()
	return run(ctx, c.h, TaxCodeStream(taxCodeID), TaxCodeAggregate, cmd, func(s taxcode.State) ([]taxcode.Event, error) {
		return taxcode.Decide(s, change, now)
	})
}

// TaxCode returns a tax code, or rules.ErrNotFound.
func (c *Catalog) TaxCode(ctx context.Context, taxCodeID uuid.UUID) (Loaded[taxcode.State], error) {
	return loadExisting(ctx, c.h, TaxCodeStream(taxCodeID), TaxCodeAggregate)
}

// TaxCodeByCode finds a tax code by its code (any case) through its reservation, or returns
// rules.ErrNotFound.
func (c *Catalog) TaxCodeByCode(ctx context.Context, code string) (Loaded[taxcode.State], error) {
	id, err := c.ownerID(ctx, TaxCodeKey(code))
	if err != nil {
		return Loaded[taxcode.State]{}, err
	}
	return c.TaxCode(ctx, id)
}

// ErrUnknownTaxCode: a product names a tax code that does not exist.
var ErrUnknownTaxCode = &rules.ValidationError{Fields: []rules.FieldError{{Field: "tax_code", Message: "is not a known tax code"}}}

// CreateProduct adds a product. The tax code must exist (the product keeps its canonical
// code); the SKU and every barcode are reserved before the product is created, and released
// again when one of them is taken. A retry with the same product ID returns the original
// result; the same ID with other data is rules.ErrAlreadyExists. A command the decider refuses
// on its own (judged against no product) looks nothing up and reserves nothing.
func (c *Catalog) CreateProduct(ctx context.Context, cmd Context, p catalog.CreateProduct) (Outcome[catalog.State], error) {
	now := c.now()
	if _, err := catalog.Decide(catalog.State{}, p, now); err != nil {
		return Outcome[catalog.State]{}, err
	}
	tc, err := c.TaxCodeByCode(ctx, p.TaxCode)
	switch {
	case errIsNotFound(err):
		return Outcome[catalog.State]{}, ErrUnknownTaxCode
	case err != nil:
		return Outcome[catalog.State]{}, err
	}
	p.TaxCode = tc.State.Code
	keys := []uniqueKey{{SKUKey(p.SKU), "sku " + p.SKU}}
	for i, b := range p.Barcodes {
		keys = append(keys, uniqueKey{BarcodeKey(b), fmt.Sprintf("barcodes[%d] %s", i, b)})
	}
	return createUnique(ctx, c.h, cmd, ProductStream(p.ProductID), ProductAggregate, p.ProductID.String(), keys, productKeys,
		func(s catalog.State) ([]catalog.Event, error) { return catalog.Decide(s, p, now) })
}

// productKeys are the reservation keys a product holds.
func productKeys(s catalog.State) []string {
	keys := []string{SKUKey(s.Created.SKU)}
	for _, b := range s.Created.Barcodes {
		keys = append(keys, BarcodeKey(b))
	}
	return keys
}

// ChangePrice sets a product's price.
func (c *Catalog) ChangePrice(ctx context.Context, cmd Context, productID uuid.UUID, change catalog.ChangePrice) (Outcome[catalog.State], error) {
	return c.updateProduct(ctx, cmd, productID, change)
}

// Deactivate stops a product from being sold.
func (c *Catalog) Deactivate(ctx context.Context, cmd Context, productID uuid.UUID, d catalog.Deactivate) (Outcome[catalog.State], error) {
	return c.updateProduct(ctx, cmd, productID, d)
}

// Reactivate lets a deactivated product be sold again.
func (c *Catalog) Reactivate(ctx context.Context, cmd Context, productID uuid.UUID) (Outcome[catalog.State], error) {
	return c.updateProduct(ctx, cmd, productID, catalog.Reactivate{})
}

func (c *Catalog) updateProduct(ctx context.Context, cmd Context, productID uuid.UUID, command catalog.Command) (Outcome[catalog.State], error) {
	now := c.now()
	return run(ctx, c.h, ProductStream(productID), ProductAggregate, cmd, func(s catalog.State) ([]catalog.Event, error) {
		return catalog.Decide(s, command, now)
	})
}

// Product returns a product, or rules.ErrNotFound.
func (c *Catalog) Product(ctx context.Context, productID uuid.UUID) (Loaded[catalog.State], error) {
	return loadExisting(ctx, c.h, ProductStream(productID), ProductAggregate)
}

// ProductBySKU finds a product by SKU (any case), or returns rules.ErrNotFound.
func (c *Catalog) ProductBySKU(ctx context.Context, sku string) (Loaded[catalog.State], error) {
	return c.productByKey(ctx, SKUKey(sku))
}

// ProductByBarcode finds a product by one of its barcodes, or returns rules.ErrNotFound.
func (c *Catalog) ProductByBarcode(ctx context.Context, barcode string) (Loaded[catalog.State], error) {
	return c.productByKey(ctx, BarcodeKey(barcode))
}

func (c *Catalog) productByKey(ctx context.Context, key string) (Loaded[catalog.State], error) {
	id, err := c.ownerID(ctx, key)
	if err != nil {
		return Loaded[catalog.State]{}, err
	}
	return c.Product(ctx, id)
}

// ownerID returns the entity ID holding key, or rules.ErrNotFound when none does.
func (c *Catalog) ownerID(ctx context.Context, key string) (uuid.UUID, error) {
	owner, err := Owner(ctx, c.h, key)
	if err != nil {
		return uuid.Nil, err
	}
	id, perr := uuid.Parse(owner)
	if owner == "" || perr != nil {
		return uuid.Nil, rules.ErrNotFound
	}
	return id, nil
}

func errIsNotFound(err error) bool { return errors.Is(err, rules.ErrNotFound) }
