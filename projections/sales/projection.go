package sales

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Name is the projection's name and the schema of its stable views.
const Name = "sales"

// Projection folds sale events into the sales tables.
type Projection struct {
	codec readkit.Decoder
}

// New returns the projection; codec must know the write side's events.
func New(codec readkit.Decoder) *Projection { return &Projection{codec: codec} }

// Name returns Name.
func (*Projection) Name() string { return Name }

// Version is bumped whenever the tables or the fold change (2: open sales priced as the
// domain prices them, with the pricing inputs stored and a due total; 3: a line's seq is its
// index among the sale's lines, the same whatever the batch boundaries).
func (*Projection) Version() int { return 3 }

// Filter selects the sale events the tables need.
func (*Projection) Filter() eventstore.Filter {
	return readkit.Filter(sale.TypeSaleOpened, sale.TypeLineAdded, sale.TypeLineRemoved, sale.TypeDiscountApplied,
		sale.TypePaymentAdded, sale.TypeCheckoutStarted, sale.TypeSaleCompleted, sale.TypeSaleVoided)
}

// Setup creates the tables and their indexes.
func (*Projection) Setup(ctx context.Context, tx pgx.Tx, schema string) error {
	_, err := tx.Exec(ctx, fmt.Sprintf(`
CREATE TABLE %[1]s (
	id uuid PRIMARY KEY, status text NOT NULL, store_id uuid NOT NULL, register_id uuid NOT NULL, shift_id uuid NOT NULL,
	cashier_id text NOT NULL, receipt_number bigint, currency text NOT NULL,
	prices_include_tax boolean NOT NULL DEFAULT false, rounding text NOT NULL DEFAULT '',
	discount_rule_bp bigint NOT NULL DEFAULT 0, discount_rule_amount bigint NOT NULL DEFAULT 0,
	payments jsonb NOT NULL DEFAULT '[]',
	subtotal bigint NOT NULL DEFAULT 0, discount bigint NOT NULL DEFAULT 0, tax bigint NOT NULL DEFAULT 0,
	total bigint NOT NULL DEFAULT 0, paid bigint NOT NULL DEFAULT 0, change bigint NOT NULL DEFAULT 0,
	due bigint NOT NULL DEFAULT 0,
	line_count integer NOT NULL DEFAULT 0, opened_at timestamptz NOT NULL, completed_at timestamptz, voided_at timestamptz,
	occurred_at timestamptz NOT NULL, void_reason text NOT NULL DEFAULT '', upload boolean NOT NULL DEFAULT false);
CREATE INDEX ON %[1]s (occurred_at, id);
CREATE INDEX ON %[1]s (store_id, occurred_at, id);
CREATE INDEX ON %[1]s (cashier_id, occurred_at, id);
CREATE INDEX ON %[1]s (register_id, occurred_at, id);
CREATE INDEX ON %[1]s (shift_id);
CREATE INDEX ON %[1]s (receipt_number);
CREATE INDEX ON %[1]s (total, id);
CREATE TABLE %[2]s (
	sale_id uuid NOT NULL, line_id uuid NOT NULL, seq bigint NOT NULL, product_id uuid NOT NULL, sku text NOT NULL,
	name text NOT NULL, category text NOT NULL, quantity bigint NOT NULL, unit_price bigint NOT NULL,
	tax_rate_bp bigint NOT NULL DEFAULT 0, discount_rule_bp bigint NOT NULL DEFAULT 0,
	discount_rule_amount bigint NOT NULL DEFAULT 0,
	discount bigint NOT NULL, tax bigint NOT NULL, total bigint NOT NULL, priced boolean NOT NULL,
	PRIMARY KEY (sale_id, line_id));
CREATE INDEX ON %[2]s (product_id);`,
		projections.Table(schema, "sales"), projections.Table(schema, "sale_lines")))
	return err
}

// Apply folds a batch: the sales it touches are folded in memory (those opened earlier whose
// state it needs are loaded first, in one round trip), priced once each, and written with a
// few multi-row statements in a second.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	sales, lines := projections.Table(schema, "sales"), projections.Table(schema, "sale_lines")
	items := make([]item, 0, len(batch))
	err := readkit.Decode(p.codec, batch, func(e eventstore.RecordedEvent, v any) error {
		if saleID(v) != uuid.Nil {
			items = append(items, item{e, v})
		}
		return nil
	})
	if err != nil {
		return err
	}
	older := toLoad(items)
	loaded, err := load(ctx, tx, sales, lines, older)
	if err != nil {
		return err
	}
	f := newFold(older, loaded)
	for _, it := range items {
		f.apply(it.e, it.v)
	}
	b := &pgx.Batch{}
	if err := f.queue(b, sales, lines); err != nil {
		return err
	}
	return projections.SendBatch(ctx, tx, b)
}
