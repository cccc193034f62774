package sales

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Name is the projection's name and the schema of its stable views.
const Name = "sales"

// Projection folds sale events into the sales tables.
type Projection struct {
	codec *eventstore.Codec
}

// New returns the projection; codec must know the write side's events.
func New(codec *eventstore.Codec) *Projection { return &Projection{codec: codec} }

// Name returns Name.
func (*Projection) Name() string { return Name }

// Version is bumped whenever the tables or the fold change.
func (*Projection) Version() int { return 1 }

// Filter selects the sale events the tables need (not discounts: totals come at checkout).
func (*Projection) Filter() eventstore.Filter {
	return readkit.Filter(sale.TypeSaleOpened, sale.TypeLineAdded, sale.TypeLineRemoved, sale.TypePaymentAdded,
		sale.TypeCheckoutStarted, sale.TypeSaleCompleted, sale.TypeSaleVoided)
}

// Setup creates the tables and their indexes.
func (*Projection) Setup(ctx context.Context, tx pgx.Tx, schema string) error {
	_, err := tx.Exec(ctx, fmt.Sprintf(`
CREATE TABLE %[1]s (
	id uuid PRIMARY KEY, status text NOT NULL, store_id uuid NOT NULL, register_id uuid NOT NULL, shift_id uuid NOT NULL,
	cashier_id text NOT NULL, receipt_number bigint, currency text NOT NULL,
	subtotal bigint NOT NULL DEFAULT 0, discount bigint NOT NULL DEFAULT 0, tax bigint NOT NULL DEFAULT 0,
	total bigint NOT NULL DEFAULT 0, paid bigint NOT NULL DEFAULT 0, change bigint NOT NULL DEFAULT 0,
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
	discount bigint NOT NULL, tax bigint NOT NULL, total bigint NOT NULL, priced boolean NOT NULL,
	PRIMARY KEY (sale_id, line_id));
CREATE INDEX ON %[2]s (product_id);`,
		projections.Table(schema, "sales"), projections.Table(schema, "sale_lines")))
	return err
}

// Apply folds a batch. Sales opened in the batch are folded in memory and written with two
// multi-row statements at the end; events of older sales cost one pipelined statement each
// (the lines of a completion one more). The two never touch the same rows, so their order
// does not matter.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	sales, lines := projections.Table(schema, "sales"), projections.Table(schema, "sale_lines")
	b := &pgx.Batch{}
	fresh := newPending()
	err := readkit.Decode(p.codec, batch, func(e eventstore.RecordedEvent, v any) error {
		if ev, ok := v.(sale.SaleOpened); ok {
			fresh.open(e, ev)
			return nil
		}
		if folded, err := fresh.fold(e, v); folded || err != nil {
			return err
		}
		// A sale opened in an earlier batch: one statement per event.
		switch ev := v.(type) {
		case sale.LineAdded:
			l := ev.Line
			amount, err := quantity.MulMoney(l.UnitPrice, l.Quantity, money.HalfUp)
			if err != nil {
				return err
			}
			b.Queue(`WITH ins AS (INSERT INTO `+lines+` (sale_id, line_id, seq, product_id, sku, name, category, quantity,
				unit_price, discount, tax, total, priced) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, $10, false)
				ON CONFLICT DO NOTHING RETURNING sale_id)
				UPDATE `+sales+` SET line_count = line_count + 1 WHERE id IN (SELECT sale_id FROM ins)`,
				ev.SaleID, l.ID, int64(e.Position)*1000, l.ProductID, l.SKU, l.Name, l.Category, l.Quantity.Milli(), l.UnitPrice.Amount, amount.Amount)
		case sale.LineRemoved:
			b.Queue(`WITH del AS (DELETE FROM `+lines+` WHERE sale_id = $1 AND line_id = $2 RETURNING sale_id)
				UPDATE `+sales+` SET line_count = line_count - 1 WHERE id IN (SELECT sale_id FROM del)`, ev.SaleID, ev.LineID)
		case sale.PaymentAdded:
			b.Queue(`UPDATE `+sales+` SET paid = paid + $2 WHERE id = $1`, ev.SaleID, ev.Payment.Amount.Amount)
		case sale.CheckoutStarted:
			t := ev.Totals
			b.Queue(`UPDATE `+sales+` SET status = 'checkout', subtotal = $2, discount = $3, tax = $4, total = $5, paid = $6,
				change = $7 WHERE id = $1 AND status = 'open'`,
				ev.SaleID, t.Subtotal.Amount, t.Discount.Amount, t.Tax.Amount, t.Total.Amount, t.Paid.Amount, t.Change.Amount)
		case sale.SaleCompleted:
			complete(b, sales, lines, e, ev)
		case sale.SaleVoided:
			b.Queue(`UPDATE `+sales+` SET status = 'voided', voided_at = $2, void_reason = $3 WHERE id = $1`,
				ev.SaleID, ev.VoidedAt.UTC(), ev.Reason)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fresh.flush(b, sales, lines)
	return projections.SendBatch(ctx, tx, b)
}

// complete queues the completion: the sale row (inserted when its opening is missing, as for
// an upload that arrived whole) and its priced lines, replacing the unpriced ones.
func complete(b *pgx.Batch, sales, lines string, e eventstore.RecordedEvent, ev sale.SaleCompleted) {
	t := ev.Totals
	at := ev.CompletedAt.UTC()
	b.Queue(`INSERT INTO `+sales+` AS s (id, status, store_id, register_id, shift_id, cashier_id, receipt_number, currency,
		subtotal, discount, tax, total, paid, change, line_count, opened_at, completed_at, occurred_at, upload)
		VALUES ($1, 'completed', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $15, $16)
		ON CONFLICT (id) DO UPDATE SET status = 'completed', receipt_number = excluded.receipt_number,
		subtotal = excluded.subtotal, discount = excluded.discount, tax = excluded.tax, total = excluded.total,
		paid = excluded.paid, change = excluded.change, line_count = excluded.line_count,
		completed_at = excluded.completed_at, occurred_at = excluded.occurred_at`,
		ev.SaleID, ev.StoreID, ev.RegisterID, ev.ShiftID, cashier(ev.CashierID, e), ev.ReceiptNumber, t.Total.Currency,
		t.Subtotal.Amount, t.Discount.Amount, t.Tax.Amount, t.Total.Amount, t.Paid.Amount, t.Change.Amount, len(ev.Lines), at, ev.Upload)
	n := len(ev.Lines)
	ids, products := make([]uuid.UUID, n), make([]uuid.UUID, n)
	skus, names, cats := make([]string, n), make([]string, n), make([]string, n)
	seq, qty, unit, disc, tax, total := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i, l := range ev.Lines {
		ids[i], products[i], skus[i], names[i], cats[i] = l.ID, l.ProductID, l.SKU, l.Name, l.Category
		seq[i], qty[i], unit[i] = int64(e.Position)*1000+int64(i), l.Quantity.Milli(), l.UnitPrice.Amount
		disc[i], tax[i], total[i] = l.Discount.Amount, l.Tax.Amount, l.Total.Amount
	}
	b.Queue(`DELETE FROM `+lines+` WHERE sale_id = $1 AND NOT (line_id = ANY($2))`, ev.SaleID, ids)
	b.Queue(`INSERT INTO `+lines+` AS l (sale_id, line_id, seq, product_id, sku, name, category, quantity, unit_price,
		discount, tax, total, priced)
		SELECT $1, u.* , true FROM unnest($2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::text[],
			$8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[]) AS u
		ON CONFLICT (sale_id, line_id) DO UPDATE SET quantity = excluded.quantity, unit_price = excluded.unit_price,
		discount = excluded.discount, tax = excluded.tax, total = excluded.total, priced = true`,
		ev.SaleID, ids, seq, products, skus, names, cats, qty, unit, disc, tax, total)
}

// cashier is the sale's cashier: the event's, else the user who issued the command.
func cashier(id string, e eventstore.RecordedEvent) string {
	if id != "" {
		return id
	}
	return e.Metadata.UserID
}
