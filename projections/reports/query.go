package reports

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/projections/readkit"
)

// Range bounds a report by business day, inclusive. A bound is either a date (compared with
// the local business day) or a time (converted to the local day, and hour for the hour
// report, of each row's store); nil means open.
type Range struct {
	FromDay, ToDay   *time.Time
	FromTime, ToTime *time.Time
}

// Page is a window on the rows: Limit rows after Offset.
type Page struct {
	Limit, Offset int
}

// Scope restricts a report to stores; nil Stores means every store.
type Scope struct {
	Stores []uuid.UUID
}

func (s Scope) arg() any {
	if s.Stores == nil {
		return nil
	}
	out := make([]string, len(s.Stores))
	for i, id := range s.Stores {
		out[i] = id.String()
	}
	return out
}

// Dimensions of the sales report, besides "day".
var Dimensions = []string{"product", "category", "cashier", "tender", "hour"}

// dimTables maps a dimension to its table and key column ("" for totals per day and store).
var dimTables = map[string][2]string{
	"":         {"sales_daily", ""},
	"product":  {"sales_by_product", "product_id"},
	"category": {"sales_by_category", "category"},
	"cashier":  {"sales_by_cashier", "cashier_id"},
	"tender":   {"sales_by_tender", "tender"},
	"hour":     {"sales_by_hour", "hour"},
}

// SalesQuery asks for the sales report. ByDay adds the business day to the group keys; Dim
// is "" or one of Dimensions. Rows are always per store and currency.
type SalesQuery struct {
	Range
	Scope
	Page
	ByDay bool
	Dim   string
}

// rangeFilter is the WHERE clause of a range and a scope on table alias t joined with the
// stores view st, using parameters $1..$5.
const rangeFilter = `($1::date IS NULL OR t.day >= $1) AND ($2::date IS NULL OR t.day <= $2)
	AND ($3::timestamptz IS NULL OR t.day >= ($3 AT TIME ZONE coalesce(st.timezone, 'UTC'))::date)
	AND ($4::timestamptz IS NULL OR t.day <= ($4 AT TIME ZONE coalesce(st.timezone, 'UTC'))::date)
	AND ($5::uuid[] IS NULL OR t.store_id = ANY($5))`

const hourFilter = ` AND ($3::timestamptz IS NULL OR t.day + make_interval(hours => t.hour) >= date_trunc('hour', $3 AT TIME ZONE coalesce(st.timezone, 'UTC')))
	AND ($4::timestamptz IS NULL OR t.day + make_interval(hours => t.hour) <= ($4 AT TIME ZONE coalesce(st.timezone, 'UTC')))`

func rangeArgs(r Range, s Scope) []any {
	date := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.Format(time.DateOnly)
	}
	ts := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return *t
	}
	return []any{date(r.FromDay), date(r.ToDay), ts(r.FromTime), ts(r.ToTime), s.arg()}
}

func page(p Page) string {
	if p.Limit <= 0 {
		return fmt.Sprintf(" OFFSET %d", p.Offset)
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", p.Limit+1, p.Offset)
}

// view names a stable view of the report schema.
func view(name string) string { return Name + "." + name }

// Sales answers the sales report: group keys, currency, transactions, quantity, gross,
// discount, tax, net, refunded, then returns, returned_quantity, refunded_tax, cost, margin.
func Sales(ctx context.Context, q Querier, sq SalesQuery) (*Table, error) {
	spec, ok := dimTables[sq.Dim]
	if !ok {
		return nil, fmt.Errorf("sales report: unknown dimension %q", sq.Dim)
	}
	var keys []string
	if sq.ByDay {
		keys = append(keys, "t.day")
	}
	keys = append(keys, "t.store_id")
	if spec[1] != "" {
		keys = append(keys, "t."+spec[1])
	}
	keys = append(keys, "t.currency")
	var sums string
	if sq.Dim == "tender" {
		sums = `sum(t.transactions)::bigint AS transactions, 0::numeric::text AS quantity, sum(t.gross)::bigint AS gross,
			0::bigint AS discount, 0::bigint AS tax, sum(t.net)::bigint AS net, sum(t.refunded)::bigint AS refunded,
			sum(t.returns)::bigint AS returns`
	} else {
		sums = `sum(t.transactions)::bigint AS transactions, sum(t.quantity)::text AS quantity, sum(t.gross)::bigint AS gross,
			sum(t.discount)::bigint AS discount, sum(t.tax)::bigint AS tax, sum(t.net)::bigint AS net,
			sum(t.refunded)::bigint AS refunded, sum(t.returns)::bigint AS returns,
			sum(t.returned_quantity)::text AS returned_quantity, sum(t.refunded_tax)::bigint AS refunded_tax,
			sum(t.cost)::bigint AS cost, sum(t.margin)::bigint AS margin`
	}
	filter := rangeFilter
	if sq.Dim == "hour" {
		filter += hourFilter
	}
	group := strings.Join(keys, ", ")
	sql := `SELECT ` + group + `, ` + sums + ` FROM ` + view(spec[0]) + ` t LEFT JOIN ` + view("stores") +
		` st USING (store_id) WHERE ` + filter + ` GROUP BY ` + group + ` ORDER BY ` + group + page(sq.Page)
	return run(ctx, q, sql, sq.Limit, rangeArgs(sq.Range, sq.Scope)...)
}

// ReturnsQuery asks for returns and refunds by reason (and business day with ByDay).
type ReturnsQuery struct {
	Range
	Scope
	Page
	ByDay bool
}

// Returns answers the returns report: [day], store_id, reason, currency, returns, lines,
// quantity, restocked_quantity, refunded, refunded_tax.
func Returns(ctx context.Context, q Querier, rq ReturnsQuery) (*Table, error) {
	keys := "t.store_id, t.reason, t.currency"
	if rq.ByDay {
		keys = "t.day, " + keys
	}
	sql := `SELECT ` + keys + `, sum(t.returns)::bigint AS returns, sum(t.lines)::bigint AS lines,
		sum(t.quantity)::text AS quantity, sum(t.restocked_quantity)::text AS restocked_quantity,
		sum(t.refunded)::bigint AS refunded, sum(t.refunded_tax)::bigint AS refunded_tax
		FROM ` + view("returns_by_reason") + ` t LEFT JOIN ` + view("stores") + ` st USING (store_id)
		WHERE ` + rangeFilter + ` GROUP BY ` + keys + ` ORDER BY ` + keys + page(rq.Page)
	return run(ctx, q, sql, rq.Limit, rangeArgs(rq.Range, rq.Scope)...)
}

// InventoryQuery asks for the inventory valuation, optionally of one product.
type InventoryQuery struct {
	Scope
	Page
	ProductID *uuid.UUID
}

// InventoryValuation answers store_id (the stock location), product_id, sku, name, category,
// currency, on_hand, avg_unit_cost, value, last_movement_at.
func InventoryValuation(ctx context.Context, q Querier, iq InventoryQuery) (*Table, error) {
	var product any
	if iq.ProductID != nil {
		product = iq.ProductID.String()
	}
	sql := `SELECT t.location_id AS store_id, t.product_id, p.sku, p.name, p.category, t.currency,
		t.on_hand::text AS on_hand, t.avg_unit_cost, t.value, t.last_movement_at
		FROM ` + view("inventory_valuation") + ` t LEFT JOIN ` + view("products") + ` p USING (product_id)
		WHERE ($1::uuid[] IS NULL OR t.location_id = ANY($1)) AND ($2::uuid IS NULL OR t.product_id = $2)
		ORDER BY t.location_id, p.sku, t.product_id` + page(iq.Page)
	return run(ctx, q, sql, iq.Limit, iq.Scope.arg(), product)
}

// TopQuery asks for the best-selling products over a range, ranked by By (one of TopBy).
type TopQuery struct {
	Range
	Scope
	Limit int
	By    string
}

// TopBy are the figures top products can be ranked by.
var TopBy = []string{"net", "gross", "quantity", "margin", "transactions"}

// TopProducts answers rank, product_id, sku, name, category, currency, transactions,
// quantity, gross, discount, tax, net, refunded, cost, margin, summed over the stores in scope.
func TopProducts(ctx context.Context, q Querier, tq TopQuery) (*Table, error) {
	if !slices.Contains(TopBy, tq.By) {
		return nil, fmt.Errorf("top products: unknown ranking %q", tq.By)
	}
	sql := `SELECT rank() OVER (PARTITION BY t.currency ORDER BY sum(t.` + tq.By + `) DESC)::bigint AS rank,
			t.product_id, p.sku, p.name, p.category, t.currency,
			sum(t.transactions)::bigint AS transactions, sum(t.quantity)::text AS quantity, sum(t.gross)::bigint AS gross,
			sum(t.discount)::bigint AS discount, sum(t.tax)::bigint AS tax, sum(t.net)::bigint AS net,
			sum(t.refunded)::bigint AS refunded, sum(t.cost)::bigint AS cost, sum(t.margin)::bigint AS margin
		FROM ` + view("sales_by_product") + ` t LEFT JOIN ` + view("stores") + ` st USING (store_id)
			LEFT JOIN ` + view("products") + ` p USING (product_id)
		WHERE ` + rangeFilter + `
		GROUP BY t.product_id, p.sku, p.name, p.category, t.currency
		ORDER BY t.currency, rank, p.sku` + fmt.Sprintf(" LIMIT %d", tq.Limit)
	return run(ctx, q, sql, 0, rangeArgs(tq.Range, tq.Scope)...)
}

// ShiftsQuery asks for shifts opened in a range, optionally only "open" or "closed" ones.
type ShiftsQuery struct {
	Range
	Scope
	Page
	Status string
}

// Shifts answers one row per shift with its cash figures and Z report.
func Shifts(ctx context.Context, q Querier, sq ShiftsQuery) (*Table, error) {
	sql := `SELECT t.shift_id, t.store_id, t.register_id, t.cashier_id, t.day, t.currency,
			CASE WHEN t.closed_at IS NULL THEN 'open' ELSE 'closed' END AS status, t.opened_at, t.closed_at, t.z_number,
			t.opening_float, t.sales_count, t.sales_total, t.returns_count, t.refunds_total, t.cash_sales, t.cash_refunds,
			t.late_cash, t.paid_in, t.paid_out, t.expected_cash, t.counted_cash, t.over_short
		FROM ` + view("shifts") + ` t LEFT JOIN ` + view("stores") + ` st USING (store_id)
		WHERE ` + rangeFilter + ` AND ($6 = '' OR ($6 = 'open') = (t.closed_at IS NULL))
		ORDER BY t.day, t.store_id, t.opened_at, t.shift_id` + page(sq.Page)
	return run(ctx, q, sql, sq.Limit, append(rangeArgs(sq.Range, sq.Scope), sq.Status)...)
}

// Counts are the totals of GET /stats.
type Counts struct {
	Stores     int64 `json:"stores"`
	Products   int64 `json:"products"`
	Sales      int64 `json:"sales"`
	Returns    int64 `json:"returns"`
	Shifts     int64 `json:"shifts"`
	OpenShifts int64 `json:"open_shifts"`
}

// CountAll counts stores, products, sales, returns and shifts in scope.
func CountAll(ctx context.Context, q Querier, s Scope) (Counts, error) {
	rows, err := q.Query(ctx, `SELECT
		(SELECT count(*) FROM `+view("stores")+` WHERE $1::uuid[] IS NULL OR store_id = ANY($1)),
		(SELECT count(*) FROM `+view("products")+`),
		(SELECT coalesce(sum(transactions), 0)::bigint FROM `+view("sales_daily")+` WHERE $1::uuid[] IS NULL OR store_id = ANY($1)),
		(SELECT coalesce(sum(returns), 0)::bigint FROM `+view("sales_daily")+` WHERE $1::uuid[] IS NULL OR store_id = ANY($1)),
		(SELECT count(*) FROM `+view("shifts")+` WHERE $1::uuid[] IS NULL OR store_id = ANY($1)),
		(SELECT count(*) FROM `+view("shifts")+` WHERE ($1::uuid[] IS NULL OR store_id = ANY($1)) AND closed_at IS NULL)`, s.arg())
	if err != nil {
		return Counts{}, fmt.Errorf("report counts: %w", err)
	}
	defer rows.Close()
	var c Counts
	if rows.Next() {
		if err := rows.Scan(&c.Stores, &c.Products, &c.Sales, &c.Returns, &c.Shifts, &c.OpenShifts); err != nil {
			return Counts{}, fmt.Errorf("report counts: %w", err)
		}
	}
	return c, rows.Err()
}

func run(ctx context.Context, q Querier, sql string, limit int, args ...any) (*Table, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, readkit.Translate("report query", err)
	}
	t, err := collect(rows, limit)
	if err != nil {
		return nil, readkit.Translate("report query", err)
	}
	return t, nil
}
