package v1import

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
)

// What a dry run finds in the event store already: the clashes a real run would meet. It only
// reads (reservations and the streams they name), so that --dry-run reports what the import
// would adjust, refuse or stop at.

// heldBy returns the owner of a reservation key when it is someone other than id ("" when the
// key is free or id's own).
func (im *Importer) heldBy(ctx context.Context, key string, id uuid.UUID) (string, error) {
	owner, err := commands.Owner(ctx, im.handler, key)
	if err != nil || owner == id.String() {
		return "", err
	}
	return owner, nil
}

// taxCodeClash reports whether the tax code code exists with another rate than bp (a real run
// stops there: the code cannot be created, nor used for this rate).
func (im *Importer) taxCodeClash(ctx context.Context, code string, bp int64) (int64, bool, error) {
	existing, err := im.catalog.TaxCodeByCode(ctx, code)
	switch {
	case errors.Is(err, rules.ErrNotFound):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	}
	if !existing.State.Exists() || existing.State.RateBP() == bp {
		return 0, false, nil
	}
	return existing.State.RateBP(), true, nil
}

// productClash checks a product to create in a dry run against the products of the chain: an
// SKU another product holds refuses it (as a real run does); a barcode another product holds
// is left off. It returns the barcodes that remain.
func (im *Importer) productClash(ctx context.Context, p *product, codes []string) (kept []string, skuOwner string, err error) {
	if skuOwner, err = im.heldBy(ctx, commands.SKUKey(p.sku), p.id); err != nil || skuOwner != "" {
		return codes, skuOwner, err
	}
	for _, b := range codes {
		owner, err := im.heldBy(ctx, commands.BarcodeKey(b), p.id)
		if err != nil {
			return nil, "", err
		}
		if owner == "" {
			kept = append(kept, b)
		}
	}
	return kept, "", nil
}
