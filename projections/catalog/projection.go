package catalog

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	dcatalog "github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Name is the projection's name and the schema of its stable views.
const Name = "catalog"

// Projection folds master-data events into the catalog tables.
type Projection struct {
	codec readkit.Decoder
}

// New returns the projection; codec must know the write side's events.
func New(codec readkit.Decoder) *Projection { return &Projection{codec: codec} }

// Name returns Name.
func (*Projection) Name() string { return Name }

// Version is bumped whenever the tables or the fold change.
func (*Projection) Version() int { return 1 }

// Filter selects the master-data events.
func (*Projection) Filter() eventstore.Filter {
	return readkit.Filter(store.TypeStoreCreated, store.TypeStoreSettingsChanged,
		register.TypeRegisterCreated, register.TypeShiftOpened, register.TypeShiftClosed,
		taxcode.TypeTaxCodeCreated, taxcode.TypeTaxRateChanged,
		dcatalog.TypeProductCreated, dcatalog.TypeProductPriceChanged, dcatalog.TypeProductDeactivated, dcatalog.TypeProductReactivated)
}

// Setup creates the tables, their indexes and the pg_trgm extension product search uses.
func (*Projection) Setup(ctx context.Context, tx pgx.Tx, schema string) error {
	t := func(name string) string { return projections.Table(schema, name) }
	_, err := tx.Exec(ctx, fmt.Sprintf(`
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE %[1]s (
	id uuid PRIMARY KEY, code text NOT NULL, name text NOT NULL, currency text NOT NULL, timezone text NOT NULL,
	prices_include_tax boolean NOT NULL, rounding text NOT NULL, allow_negative_stock boolean NOT NULL,
	created_at timestamptz NOT NULL);
CREATE INDEX ON %[1]s (code, id);
CREATE INDEX ON %[1]s (name, id);
CREATE TABLE %[2]s (
	id uuid PRIMARY KEY, store_id uuid NOT NULL, code text NOT NULL, name text NOT NULL,
	open_shift_id uuid, last_z_number bigint, created_at timestamptz NOT NULL);
CREATE INDEX ON %[2]s (store_id, code, id);
CREATE TABLE %[3]s (
	id uuid PRIMARY KEY, code text NOT NULL, name text NOT NULL, rate_bp bigint NOT NULL,
	effective_at timestamptz NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX ON %[3]s (code, id);
CREATE TABLE %[4]s (
	id uuid PRIMARY KEY, sku text NOT NULL, barcodes text[] NOT NULL, name text NOT NULL, category text NOT NULL,
	price bigint NOT NULL, cost bigint, currency text NOT NULL, tax_code text NOT NULL, track_stock boolean NOT NULL,
	low_stock_threshold bigint, sold_by_weight boolean NOT NULL, active boolean NOT NULL,
	created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE INDEX ON %[4]s (name, id);
CREATE INDEX ON %[4]s (sku, id);
CREATE INDEX ON %[4]s (created_at, id);
CREATE INDEX ON %[4]s (price, id);
CREATE INDEX ON %[4]s (category, name, id);
CREATE INDEX ON %[4]s USING gin (barcodes);
CREATE INDEX ON %[4]s USING gin (lower(name) gin_trgm_ops);
CREATE INDEX ON %[4]s USING gin (lower(sku) gin_trgm_ops);`,
		t("stores"), t("registers"), t("tax_codes"), t("products")))
	return err
}

// Apply folds a batch: one pipelined statement per event.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	t := func(name string) string { return projections.Table(schema, name) }
	b := &pgx.Batch{}
	err := readkit.Decode(p.codec, batch, func(e eventstore.RecordedEvent, v any) error {
		at := readkit.OccurredAt(e)
		switch ev := v.(type) {
		case store.StoreCreated:
			s := ev.Settings
			b.Queue(`INSERT INTO `+t("stores")+` (id, code, name, currency, timezone, prices_include_tax, rounding,
				allow_negative_stock, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
				ev.StoreID, ev.Code, ev.Name, ev.Currency, ev.Timezone, s.PricesIncludeTax, string(s.Rounding), s.AllowNegativeStock, at)
		case store.StoreSettingsChanged:
			s := ev.Settings
			b.Queue(`UPDATE `+t("stores")+` SET prices_include_tax = $2, rounding = $3, allow_negative_stock = $4 WHERE id = $1`,
				ev.StoreID, s.PricesIncludeTax, string(s.Rounding), s.AllowNegativeStock)
		case register.RegisterCreated:
			b.Queue(`INSERT INTO `+t("registers")+` (id, store_id, code, name, created_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (id) DO NOTHING`, ev.RegisterID, ev.StoreID, ev.Code, ev.Name, at)
		case register.ShiftOpened:
			b.Queue(`UPDATE `+t("registers")+` SET open_shift_id = $2 WHERE id = $1`, ev.RegisterID, ev.ShiftID)
		case register.ShiftClosed:
			b.Queue(`UPDATE `+t("registers")+` SET open_shift_id = CASE WHEN open_shift_id = $2 THEN NULL ELSE open_shift_id END,
				last_z_number = $3 WHERE id = $1`, ev.RegisterID, ev.ShiftID, ev.ZNumber)
		case taxcode.TaxCodeCreated:
			b.Queue(`INSERT INTO `+t("tax_codes")+` (id, code, name, rate_bp, effective_at, created_at) VALUES ($1, $2, $3, $4, $5, $5)
				ON CONFLICT (id) DO NOTHING`, ev.TaxCodeID, ev.Code, ev.Name, ev.RateBP, at)
		case taxcode.TaxRateChanged:
			b.Queue(`UPDATE `+t("tax_codes")+` SET rate_bp = $2, effective_at = $3 WHERE id = $1`, ev.TaxCodeID, ev.RateBP, ev.EffectiveAt.UTC())
		case dcatalog.ProductCreated:
			var cost, threshold *int64
			if ev.Cost != nil {
				cost = &ev.Cost.Amount
			}
			if ev.LowStockThreshold != nil {
				m := ev.LowStockThreshold.Milli()
				threshold = &m
			}
			barcodes := ev.Barcodes
			if barcodes == nil {
				barcodes = []string{}
			}
			b.Queue(`INSERT INTO `+t("products")+` (id, sku, barcodes, name, category, price, cost, currency, tax_code,
				track_stock, low_stock_threshold, sold_by_weight, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true, $13, $13) ON CONFLICT (id) DO NOTHING`,
				ev.ProductID, ev.SKU, barcodes, ev.Name, ev.Category, ev.Price.Amount, cost, ev.Price.Currency, ev.TaxCode,
				ev.TrackStock, threshold, ev.SoldByWeight, at)
		case dcatalog.ProductPriceChanged:
			b.Queue(`UPDATE `+t("products")+` SET price = $2, updated_at = $3 WHERE id = $1`, ev.ProductID, ev.Price.Amount, at)
		case dcatalog.ProductDeactivated:
			b.Queue(`UPDATE `+t("products")+` SET active = false, updated_at = $2 WHERE id = $1`, ev.ProductID, at)
		case dcatalog.ProductReactivated:
			b.Queue(`UPDATE `+t("products")+` SET active = true, updated_at = $2 WHERE id = $1`, ev.ProductID, at)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return projections.SendBatch(ctx, tx, b)
}
