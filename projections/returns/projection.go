package returns

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	dreturns "github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Name is the projection's name and the schema of its stable views.
const Name = "returns"

// Projection folds recorded returns into the returns tables.
type Projection struct {
	codec readkit.Decoder
}

// New returns the projection; codec must know the write side's events.
func New(codec readkit.Decoder) *Projection { return &Projection{codec: codec} }

// Name returns Name.
func (*Projection) Name() string { return Name }

// Version is bumped whenever the tables or the fold change.
func (*Projection) Version() int { return 1 }

// Filter selects recorded returns.
func (*Projection) Filter() eventstore.Filter { return readkit.Filter(dreturns.TypeReturnRecorded) }

// Setup creates the tables and their indexes.
func (*Projection) Setup(ctx context.Context, tx pgx.Tx, schema string) error {
	_, err := tx.Exec(ctx, fmt.Sprintf(`
CREATE TABLE %[1]s (
	id uuid PRIMARY KEY, sale_id uuid, store_id uuid NOT NULL, register_id uuid, shift_id uuid, cashier_id text NOT NULL,
	no_receipt boolean NOT NULL, currency text NOT NULL, net bigint NOT NULL, tax bigint NOT NULL, total bigint NOT NULL,
	cash_out bigint NOT NULL, refunds jsonb NOT NULL, approved_by text NOT NULL, line_count integer NOT NULL,
	returned_at timestamptz NOT NULL);
CREATE INDEX ON %[1]s (returned_at, id);
CREATE INDEX ON %[1]s (store_id, returned_at, id);
CREATE INDEX ON %[1]s (sale_id);
CREATE INDEX ON %[1]s (total, id);
CREATE TABLE %[2]s (
	return_id uuid NOT NULL, idx integer NOT NULL, sale_line_id uuid, product_id uuid NOT NULL, sku text NOT NULL,
	category text NOT NULL, quantity bigint NOT NULL, unit_price bigint NOT NULL, net bigint NOT NULL, tax bigint NOT NULL,
	refund bigint NOT NULL, restock boolean NOT NULL, reason text NOT NULL, PRIMARY KEY (return_id, idx));
CREATE INDEX ON %[2]s (product_id);`,
		projections.Table(schema, "returns"), projections.Table(schema, "return_lines")))
	return err
}

// Apply folds a batch: two pipelined statements per return (the row, then its lines at once).
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	rets, lines := projections.Table(schema, "returns"), projections.Table(schema, "return_lines")
	b := &pgx.Batch{}
	err := readkit.Decode(p.codec, batch, func(e eventstore.RecordedEvent, v any) error {
		ev, ok := v.(dreturns.ReturnRecorded)
		if !ok {
			return nil
		}
		refunds, err := json.Marshal(ev.Refunds)
		if err != nil {
			return err
		}
		cashier := e.Metadata.UserID
		b.Queue(`INSERT INTO `+rets+` (id, sale_id, store_id, register_id, shift_id, cashier_id, no_receipt, currency, net, tax,
			total, cash_out, refunds, approved_by, line_count, returned_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (id) DO NOTHING`,
			ev.ReturnID, nilUUID(ev.SaleID), ev.StoreID, nilUUID(ev.RegisterID), nilUUID(ev.ShiftID), cashier, ev.NoReceipt,
			ev.Total.Currency, ev.Net.Amount, ev.Tax.Amount, ev.Total.Amount, ev.CashOut.Amount, refunds, ev.ApprovedBy,
			len(ev.Lines), ev.ReturnedAt.UTC())
		n := len(ev.Lines)
		idx, saleLines, products := make([]int32, n), make([]*uuid.UUID, n), make([]uuid.UUID, n)
		skus, cats, reasons, restock := make([]string, n), make([]string, n), make([]string, n), make([]bool, n)
		qty, unit, net, tax, refund := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i, l := range ev.Lines {
			idx[i], saleLines[i], products[i], skus[i], cats[i], reasons[i], restock[i] = int32(i), nilUUID(l.SaleLineID), l.ProductID, l.SKU, l.Category, l.Reason, l.Restock
			qty[i], unit[i], net[i], tax[i], refund[i] = l.Quantity.Milli(), l.UnitPrice.Amount, l.Net.Amount, l.Tax.Amount, l.Refund.Amount
		}
		b.Queue(`INSERT INTO `+lines+` (return_id, idx, sale_line_id, product_id, sku, category, quantity, unit_price, net, tax,
			refund, restock, reason)
			SELECT $1, u.* FROM unnest($2::int[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
				$9::bigint[], $10::bigint[], $11::bigint[], $12::boolean[], $13::text[]) AS u
			ON CONFLICT DO NOTHING`, ev.ReturnID, idx, saleLines, products, skus, cats, qty, unit, net, tax, refund, restock, reasons)
		return nil
	})
	if err != nil {
		return err
	}
	return projections.SendBatch(ctx, tx, b)
}

// nilUUID maps uuid.Nil to SQL NULL.
func nilUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
