package sales

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
)

// load reads the stored sales with ids and their lines, back into rows whose state
// sale.State.Priced prices as the write side does: the sale's currency, tax mode, rounding,
// discount rule and payments, and each line's quantity, unit price, tax rate and discount rule
// in the order the lines were added. Sales the table does not hold are missing from the map.
func load(ctx context.Context, tx pgx.Tx, sales, lines string, ids []uuid.UUID) (map[uuid.UUID]*row, error) {
	out := make(map[uuid.UUID]*row, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT id, status, store_id, register_id, shift_id, cashier_id, receipt_number, currency,
		prices_include_tax, rounding, discount_rule_bp, discount_rule_amount, payments, opened_at, completed_at, voided_at,
		occurred_at, void_reason, upload FROM `+sales+` WHERE id = ANY($1)`, ids)
	b.Queue(`SELECT sale_id, line_id, product_id, sku, name, category, seq, quantity, unit_price, tax_rate_bp,
		discount_rule_bp, discount_rule_amount, discount, tax, total, priced FROM `+lines+` WHERE sale_id = ANY($1) ORDER BY sale_id, seq`, ids)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("load sales: %w", err)
	}
	_, err = pgx.CollectRows(rows, func(cr pgx.CollectableRow) (struct{}, error) {
		r := &row{stored: map[uuid.UUID]lineRow{}}
		s := &r.state
		var status, rounding string
		var ruleBP, ruleAmt int64
		var payments []byte
		if err := cr.Scan(&s.ID, &status, &s.StoreID, &s.RegisterID, &s.ShiftID, &r.cashier, &r.receipt, &s.Currency,
			&s.PricesIncludeTax, &rounding, &ruleBP, &ruleAmt, &payments, &r.opened, &r.completed, &r.voided, &r.occurred,
			&r.voidReason, &s.Upload); err != nil {
			return struct{}{}, err
		}
		s.CashierID, s.Status, s.Rounding, s.OpenedAt, s.VoidReason = r.cashier, sale.Status(status), money.RoundingMode(rounding), r.opened, r.voidReason
		s.Discount = rule(ruleBP, ruleAmt, s.Currency)
		if err := json.Unmarshal(payments, &s.Payments); err != nil {
			return struct{}{}, fmt.Errorf("payments of sale %s: %w", s.ID, err)
		}
		out[s.ID] = r
		return struct{}{}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("load sales: %w", err)
	}
	if rows, err = br.Query(); err != nil {
		return nil, fmt.Errorf("load sale lines: %w", err)
	}
	_, err = pgx.CollectRows(rows, func(cr pgx.CollectableRow) (struct{}, error) {
		var id uuid.UUID
		var l lineRow
		if err := cr.Scan(&id, &l.id, &l.product, &l.sku, &l.name, &l.category, &l.seq, &l.qty, &l.unit, &l.taxBP, &l.ruleBP,
			&l.ruleAmt, &l.disc, &l.tax, &l.total, &l.priced); err != nil {
			return struct{}{}, err
		}
		r := out[id]
		if r == nil {
			return struct{}{}, nil
		}
		cur := r.state.Currency
		r.state.Lines = append(r.state.Lines, sale.Line{ID: l.id, ProductID: l.product, SKU: l.sku, Name: l.name, Category: l.category,
			Quantity: quantity.FromMilli(l.qty), UnitPrice: money.New(l.unit, cur), TaxRateBP: l.taxBP, DiscountRule: rule(l.ruleBP, l.ruleAmt, cur)})
		r.stored[l.id] = l
		return struct{}{}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("load sale lines: %w", err)
	}
	return out, br.Close()
}

// rule is a stored discount rule.
func rule(bp, amount int64, cur string) sale.Discount {
	if amount == 0 {
		return sale.Discount{PercentBP: bp}
	}
	return sale.Discount{PercentBP: bp, Amount: money.New(amount, cur)}
}

// queue queues the writes: one upsert of the sales events changed, one of their new or
// changed lines (seq included: removing a line moves the later ones up), one delete of the lines they lost, and one
// update per kind of mark (checkout, void) of the sales not loaded.
func (f *fold) queue(b *pgx.Batch, sales, lines string) error {
	var s struct {
		id, store, register, shift            []uuid.UUID
		cashier, currency, status, reason     []string
		rounding, payments                    []string
		receipt                               []*int64
		inclusive, upload                     []bool
		ruleBP, ruleAmt                       []int64
		sub, disc, tax, total, paid, chg, due []int64
		count                                 []int32
		opened, occurred                      []time.Time
		completed, voided                     []*time.Time
	}
	var l struct {
		sale, id, product                    []uuid.UUID
		sku, name, cat                       []string
		seq, qty, unit, taxBP, ruleBP, ruleA []int64
		disc, tax, total                     []int64
		priced                               []bool
	}
	var gone, kept struct{ sale, id []uuid.UUID }
	var unknown []uuid.UUID
	for _, id := range f.order {
		r := f.rows[id]
		if !r.dirty {
			continue
		}
		t, ls, err := r.figures()
		if err != nil {
			return err
		}
		st := r.state
		payments := []byte("[]")
		if len(st.Payments) > 0 {
			if payments, err = json.Marshal(st.Payments); err != nil {
				return fmt.Errorf("payments of sale %s: %w", id, err)
			}
		}
		s.id, s.store, s.register, s.shift = append(s.id, id), append(s.store, st.StoreID), append(s.register, st.RegisterID), append(s.shift, st.ShiftID)
		s.cashier, s.currency, s.status, s.reason = append(s.cashier, r.cashier), append(s.currency, st.Currency), append(s.status, string(st.Status)), append(s.reason, r.voidReason)
		s.rounding, s.payments, s.receipt = append(s.rounding, string(st.Rounding)), append(s.payments, string(payments)), append(s.receipt, r.receipt)
		s.inclusive, s.upload = append(s.inclusive, st.PricesIncludeTax), append(s.upload, st.Upload)
		s.ruleBP, s.ruleAmt = append(s.ruleBP, st.Discount.PercentBP), append(s.ruleAmt, st.Discount.Amount.Amount)
		s.sub, s.disc, s.tax, s.total = append(s.sub, t.Subtotal.Amount), append(s.disc, t.Discount.Amount), append(s.tax, t.Tax.Amount), append(s.total, t.Total.Amount)
		s.paid, s.chg, s.due, s.count = append(s.paid, t.Paid.Amount), append(s.chg, t.Change.Amount), append(s.due, t.Due.Amount), append(s.count, int32(len(ls)))
		s.opened, s.occurred, s.completed, s.voided = append(s.opened, r.opened), append(s.occurred, r.occurred), append(s.completed, r.completed), append(s.voided, r.voided)
		has := make(map[uuid.UUID]bool, len(ls))
		for _, x := range ls {
			has[x.id] = true
			if r.unknown {
				kept.sale, kept.id = append(kept.sale, id), append(kept.id, x.id)
			}
			if old, ok := r.stored[x.id]; ok && old == x {
				continue
			}
			l.sale, l.id, l.product = append(l.sale, id), append(l.id, x.id), append(l.product, x.product)
			l.sku, l.name, l.cat = append(l.sku, x.sku), append(l.name, x.name), append(l.cat, x.category)
			l.seq, l.qty, l.unit = append(l.seq, x.seq), append(l.qty, x.qty), append(l.unit, x.unit)
			l.taxBP, l.ruleBP, l.ruleA = append(l.taxBP, x.taxBP), append(l.ruleBP, x.ruleBP), append(l.ruleA, x.ruleAmt)
			l.disc, l.tax, l.total, l.priced = append(l.disc, x.disc), append(l.tax, x.tax), append(l.total, x.total), append(l.priced, x.priced)
		}
		for lid := range r.stored {
			if !has[lid] {
				gone.sale, gone.id = append(gone.sale, id), append(gone.id, lid)
			}
		}
		if r.unknown {
			unknown = append(unknown, id)
		}
	}
	if len(s.id) > 0 {
		b.Queue(`INSERT INTO `+sales+` (id, store_id, register_id, shift_id, cashier_id, currency, status, void_reason, rounding,
			payments, receipt_number, prices_include_tax, upload, discount_rule_bp, discount_rule_amount, subtotal, discount, tax,
			total, paid, change, due, line_count, opened_at, occurred_at, completed_at, voided_at)
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
				$9::text[], $10::jsonb[], $11::bigint[], $12::boolean[], $13::boolean[], $14::bigint[], $15::bigint[], $16::bigint[],
				$17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[], $23::int[],
				$24::timestamptz[], $25::timestamptz[], $26::timestamptz[], $27::timestamptz[])
			ON CONFLICT (id) DO UPDATE SET status = excluded.status,
				void_reason = excluded.void_reason, payments = excluded.payments, receipt_number = excluded.receipt_number,
				discount_rule_bp = excluded.discount_rule_bp, discount_rule_amount = excluded.discount_rule_amount,
				subtotal = excluded.subtotal, discount = excluded.discount, tax = excluded.tax, total = excluded.total,
				paid = excluded.paid, change = excluded.change, due = excluded.due, line_count = excluded.line_count,
				occurred_at = excluded.occurred_at, completed_at = excluded.completed_at, voided_at = excluded.voided_at`,
			s.id, s.store, s.register, s.shift, s.cashier, s.currency, s.status, s.reason, s.rounding, s.payments, s.receipt,
			s.inclusive, s.upload, s.ruleBP, s.ruleAmt, s.sub, s.disc, s.tax, s.total, s.paid, s.chg, s.due, s.count,
			s.opened, s.occurred, s.completed, s.voided)
	}
	if len(f.checkout) > 0 {
		b.Queue(`UPDATE `+sales+` SET status = 'checkout' WHERE id = ANY($1) AND status = 'open'`, f.checkout)
	}
	if len(f.voids) > 0 {
		ids, at, reasons := make([]uuid.UUID, len(f.voids)), make([]time.Time, len(f.voids)), make([]string, len(f.voids))
		for i, v := range f.voids {
			ids[i], at[i], reasons[i] = v.SaleID, v.VoidedAt.UTC(), v.Reason
		}
		b.Queue(`UPDATE `+sales+` s SET status = 'voided', voided_at = v.at, void_reason = v.reason
			FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) AS v(id, at, reason)
			WHERE s.id = v.id AND s.status IN ('open', 'checkout')`, ids, at, reasons)
	}
	if len(unknown) > 0 {
		b.Queue(`DELETE FROM `+lines+` WHERE sale_id = ANY($1)
			AND (sale_id, line_id) NOT IN (SELECT * FROM unnest($2::uuid[], $3::uuid[]))`, unknown, kept.sale, kept.id)
	}
	if len(gone.id) > 0 {
		b.Queue(`DELETE FROM `+lines+` l USING unnest($1::uuid[], $2::uuid[]) AS g(sale_id, line_id)
			WHERE l.sale_id = g.sale_id AND l.line_id = g.line_id`, gone.sale, gone.id)
	}
	if len(l.id) > 0 {
		b.Queue(`INSERT INTO `+lines+` (sale_id, line_id, product_id, sku, name, category, seq, quantity, unit_price, tax_rate_bp,
			discount_rule_bp, discount_rule_amount, discount, tax, total, priced)
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
				$9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::boolean[])
			ON CONFLICT (sale_id, line_id) DO UPDATE SET seq = excluded.seq, product_id = excluded.product_id, sku = excluded.sku,
				name = excluded.name, category = excluded.category, quantity = excluded.quantity,
				unit_price = excluded.unit_price, tax_rate_bp = excluded.tax_rate_bp, discount_rule_bp = excluded.discount_rule_bp,
				discount_rule_amount = excluded.discount_rule_amount, discount = excluded.discount, tax = excluded.tax,
				total = excluded.total, priced = excluded.priced`,
			l.sale, l.id, l.product, l.sku, l.name, l.cat, l.seq, l.qty, l.unit, l.taxBP, l.ruleBP, l.ruleA, l.disc, l.tax, l.total, l.priced)
	}
	return nil
}
