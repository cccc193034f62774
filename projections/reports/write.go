package reports

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/projections"
)

// write queues one upsert per table (rows passed as arrays and unnested) and sends them in
// one round trip. Sales rows add to what is there; dimension, stock and shift rows set.
func write(ctx context.Context, tx pgx.Tx, schema string, f *fold) error {
	b := &pgx.Batch{}
	writeStores(b, schema, f)
	writeProducts(b, schema, f)
	writeMeasures(b, schema, "sales_daily", "", "", &f.daily)
	writeMeasures(b, schema, "sales_by_product", "product_id", "uuid", &f.byProduct)
	writeMeasures(b, schema, "sales_by_category", "category", "text", &f.byCategory)
	writeMeasures(b, schema, "sales_by_cashier", "cashier_id", "text", &f.byCashier)
	writeMeasures(b, schema, "sales_by_hour", "hour", "smallint", &f.byHour)
	writeTenders(b, schema, f)
	writeReasons(b, schema, f)
	writeStock(b, schema, f)
	writeShifts(b, schema, f)
	return projections.SendBatch(ctx, tx, b)
}

// keyArrays returns the day, store, dim and currency arrays of a table's rows.
func keyArrays(order []rowKey) (days, stores, dims, curs []string) {
	for _, k := range order {
		days = append(days, k.day)
		stores = append(stores, k.store.String())
		dims = append(dims, k.dim)
		curs = append(curs, k.currency)
	}
	return
}

// measureField is one additive column of the sales tables: its name and its value in a
// row's measures. Quantities are folded in thousandths and stored as numeric. A new measure
// is one line here (beside its field in measures and its column in schema.go measureColumns).
type measureField struct {
	name        string
	value       func(*measures) int64
	thousandths bool
}

var measureFields = []measureField{
	{name: "transactions", value: func(m *measures) int64 { return m.transactions }},
	{name: "returns", value: func(m *measures) int64 { return m.returns }},
	{name: "quantity", value: func(m *measures) int64 { return m.qty }, thousandths: true},
	{name: "returned_quantity", value: func(m *measures) int64 { return m.retQty }, thousandths: true},
	{name: "gross", value: func(m *measures) int64 { return m.gross }},
	{name: "discount", value: func(m *measures) int64 { return m.discount }},
	{name: "tax", value: func(m *measures) int64 { return m.tax }},
	{name: "refunded", value: func(m *measures) int64 { return m.refunded }},
	{name: "refunded_tax", value: func(m *measures) int64 { return m.refundedTax }},
	{name: "cost", value: func(m *measures) int64 { return m.cost }},
}

// measuresSQL is the upsert of a sales table whose key is (day, store_id[, dimCol], currency):
// its rows arrive as one array per column (the key's four, then measureFields') and add to
// the rows already there.
func measuresSQL(table, dimCol, dimType string) string {
	keyCols, keySel := "day, store_id", "d::date, s::uuid"
	if dimCol != "" {
		keyCols += ", " + dimCol
		keySel += ", k::" + dimType
	}
	names := make([]string, len(measureFields))
	sel := []string{keySel, "c"}
	arrays := []string{"$1::text[]", "$2::text[]", "$3::text[]", "$4::text[]"}
	alias := []string{"d", "s", "k", "c"}
	sets := make([]string, len(measureFields))
	for i, c := range measureFields {
		v := fmt.Sprintf("v%d", i)
		names[i], alias = c.name, append(alias, v)
		arrays = append(arrays, fmt.Sprintf("$%d::bigint[]", i+5))
		if c.thousandths {
			v += " / 1000.0"
		}
		sel = append(sel, v)
		sets[i] = fmt.Sprintf("%[1]s = t.%[1]s + excluded.%[1]s", c.name)
	}
	return fmt.Sprintf(`INSERT INTO %s AS t (%s, currency, %s)
		SELECT %s FROM unnest(%s) AS u(%s)
		ON CONFLICT (%s, currency) DO UPDATE SET %s`,
		table, keyCols, strings.Join(names, ", "), strings.Join(sel, ", "), strings.Join(arrays, ", "),
		strings.Join(alias, ", "), keyCols, strings.Join(sets, ", "))
}

func writeMeasures(b *pgx.Batch, schema, name, dimCol, dimType string, t *table[measures]) {
	if len(t.order) == 0 {
		return
	}
	days, stores, dims, curs := keyArrays(t.order)
	args := []any{days, stores, dims, curs}
	for _, c := range measureFields {
		col := make([]int64, len(t.order))
		for i, k := range t.order {
			col[i] = c.value(t.rows[k])
		}
		args = append(args, col)
	}
	b.Queue(measuresSQL(projections.Table(schema, name), dimCol, dimType), args...)
}

func writeTenders(b *pgx.Batch, schema string, f *fold) {
	t := &f.byTender
	if len(t.order) == 0 {
		return
	}
	days, stores, dims, curs := keyArrays(t.order)
	var tr, rt, g, rf []int64
	for _, k := range t.order {
		r := t.rows[k]
		tr, rt, g, rf = append(tr, r.transactions), append(rt, r.returns), append(g, r.gross), append(rf, r.refunded)
	}
	b.Queue(`INSERT INTO `+projections.Table(schema, "sales_by_tender")+` AS t
			(day, store_id, tender, currency, transactions, returns, gross, refunded)
		SELECT d::date, s::uuid, k, c, tr, rt, g, rf
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
			AS u(d, s, k, c, tr, rt, g, rf)
		ON CONFLICT (day, store_id, tender, currency) DO UPDATE SET
			transactions = t.transactions + excluded.transactions, returns = t.returns + excluded.returns,
			gross = t.gross + excluded.gross, refunded = t.refunded + excluded.refunded`,
		days, stores, dims, curs, tr, rt, g, rf)
}

func writeReasons(b *pgx.Batch, schema string, f *fold) {
	t := &f.byReason
	if len(t.order) == 0 {
		return
	}
	days, stores, dims, curs := keyArrays(t.order)
	var rt, ln, q, rs, rf, rtx []int64
	for _, k := range t.order {
		r := t.rows[k]
		rt, ln, q = append(rt, r.returns), append(ln, r.lines), append(q, r.qty)
		rs, rf, rtx = append(rs, r.restocked), append(rf, r.refunded), append(rtx, r.refundedTax)
	}
	b.Queue(`INSERT INTO `+projections.Table(schema, "returns_by_reason")+` AS t
			(day, store_id, reason, currency, returns, lines, quantity, restocked_quantity, refunded, refunded_tax)
		SELECT d::date, s::uuid, k, c, rt, ln, q / 1000.0, rs / 1000.0, rf, rtx
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
			$9::bigint[], $10::bigint[]) AS u(d, s, k, c, rt, ln, q, rs, rf, rtx)
		ON CONFLICT (day, store_id, reason, currency) DO UPDATE SET
			returns = t.returns + excluded.returns, lines = t.lines + excluded.lines,
			quantity = t.quantity + excluded.quantity, restocked_quantity = t.restocked_quantity + excluded.restocked_quantity,
			refunded = t.refunded + excluded.refunded, refunded_tax = t.refunded_tax + excluded.refunded_tax`,
		days, stores, dims, curs, rt, ln, q, rs, rf, rtx)
}

func writeStores(b *pgx.Batch, schema string, f *fold) {
	for _, id := range f.newStores {
		s := f.stores[id]
		b.Queue(`INSERT INTO `+projections.Table(schema, "stores")+` (store_id, code, name, currency, timezone)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (store_id) DO UPDATE SET code = excluded.code, name = excluded.name,
			currency = excluded.currency, timezone = excluded.timezone`, id.String(), s.code, s.name, s.currency, s.timezone)
	}
}

func writeProducts(b *pgx.Batch, schema string, f *fold) {
	for _, id := range f.newProds {
		p := f.products[id]
		b.Queue(`INSERT INTO `+projections.Table(schema, "products")+` (product_id, sku, name, category, cost, currency)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (product_id) DO UPDATE SET sku = excluded.sku, name = excluded.name,
			category = excluded.category, cost = excluded.cost, currency = excluded.currency`,
			id.String(), p.sku, p.name, p.category, p.cost, p.currency)
	}
}

func writeStock(b *pgx.Batch, schema string, f *fold) {
	if len(f.dirtyStock) == 0 {
		return
	}
	var locs, prods, curs []string
	var onHand []int64
	var avg []*int64
	var at []time.Time
	for _, k := range f.dirtyStock {
		s := f.stock[k]
		locs, prods, curs = append(locs, k.location.String()), append(prods, k.product.String()), append(curs, s.currency)
		onHand, avg, at = append(onHand, s.onHand), append(avg, s.avgCost), append(at, s.lastAt)
	}
	b.Queue(`INSERT INTO `+projections.Table(schema, "inventory_valuation")+` AS v
			(location_id, product_id, currency, on_hand, avg_unit_cost, last_movement_at)
		SELECT l::uuid, p::uuid, c, q / 1000.0, a, t
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[]) AS u(l, p, c, q, a, t)
		ON CONFLICT (location_id, product_id) DO UPDATE SET currency = excluded.currency, on_hand = excluded.on_hand,
			avg_unit_cost = excluded.avg_unit_cost, last_movement_at = greatest(v.last_movement_at, excluded.last_movement_at)`,
		locs, prods, curs, onHand, avg, at)
}

func writeShifts(b *pgx.Batch, schema string, f *fold) {
	for _, id := range f.shiftOrder {
		s := f.shifts[id]
		var store, register, cashier, currency, day, openedAt, float, closedAt, z, expected, counted, overShort any
		if s.opened {
			store, register, cashier, currency = s.storeID.String(), s.register.String(), s.cashier, s.currency
			day, openedAt, float = s.day, s.openedAt, s.float
		}
		if s.closed {
			closedAt, z, expected, counted, overShort = s.closedAt, s.zNumber, s.expected, s.counted, s.overShort
		}
		b.Queue(`INSERT INTO `+projections.Table(schema, "shifts")+` AS t (shift_id, store_id, register_id, cashier_id,
				currency, day, opened_at, opening_float, closed_at, z_number, expected_cash, counted_cash, over_short,
				sales_count, sales_total, returns_count, refunds_total, cash_sales, cash_refunds, late_cash, paid_in, paid_out)
			VALUES ($1, $2::uuid, $3::uuid, $4, $5, $6::date, $7::timestamptz, coalesce($8::bigint, 0), $9::timestamptz, $10::bigint,
				$11::bigint, $12::bigint, $13::bigint, $14, $15, $16, $17, $18, $19, $20, $21, $22)
			ON CONFLICT (shift_id) DO UPDATE SET
				store_id = coalesce(excluded.store_id, t.store_id), register_id = coalesce(excluded.register_id, t.register_id),
				cashier_id = coalesce(excluded.cashier_id, t.cashier_id), currency = coalesce(excluded.currency, t.currency),
				day = coalesce(excluded.day, t.day), opened_at = coalesce(excluded.opened_at, t.opened_at),
				opening_float = CASE WHEN $8::bigint IS NULL THEN t.opening_float ELSE excluded.opening_float END,
				closed_at = coalesce(excluded.closed_at, t.closed_at), z_number = coalesce(excluded.z_number, t.z_number),
				expected_cash = coalesce(excluded.expected_cash, t.expected_cash),
				counted_cash = coalesce(excluded.counted_cash, t.counted_cash), over_short = coalesce(excluded.over_short, t.over_short),
				sales_count = t.sales_count + excluded.sales_count, sales_total = t.sales_total + excluded.sales_total,
				returns_count = t.returns_count + excluded.returns_count, refunds_total = t.refunds_total + excluded.refunds_total,
				cash_sales = t.cash_sales + excluded.cash_sales, cash_refunds = t.cash_refunds + excluded.cash_refunds,
				late_cash = t.late_cash + excluded.late_cash, paid_in = t.paid_in + excluded.paid_in, paid_out = t.paid_out + excluded.paid_out`,
			id.String(), store, register, cashier, currency, day, openedAt, float, closedAt, z, expected, counted, overShort,
			s.salesCount, s.salesTotal, s.returnsCount, s.refundsTotal, s.cashSales, s.cashRefunds, s.lateCash, s.paidIn, s.paidOut)
	}
}
