package reports

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// measureColumns are the columns every sales table shares after its key. net and margin are
// generated, so they always agree with the columns they derive from.
const measureColumns = `
	transactions      bigint NOT NULL DEFAULT 0,
	returns           bigint NOT NULL DEFAULT 0,
	quantity          numeric(18,3) NOT NULL DEFAULT 0,
	returned_quantity numeric(18,3) NOT NULL DEFAULT 0,
	gross             bigint NOT NULL DEFAULT 0,
	discount          bigint NOT NULL DEFAULT 0,
	tax               bigint NOT NULL DEFAULT 0,
	refunded          bigint NOT NULL DEFAULT 0,
	refunded_tax      bigint NOT NULL DEFAULT 0,
	cost              bigint NOT NULL DEFAULT 0,
	net               bigint GENERATED ALWAYS AS (gross - discount - refunded) STORED,
	margin            bigint GENERATED ALWAYS AS (gross - discount - refunded - (tax - refunded_tax) - cost) STORED`

// ddl creates the tables of one generation; %[1]s is the quoted physical schema.
const ddl = `
CREATE TABLE %[1]s.stores (
	store_id uuid PRIMARY KEY,
	code     text NOT NULL,
	name     text NOT NULL,
	currency text NOT NULL,
	timezone text NOT NULL
);
CREATE TABLE %[1]s.products (
	product_id uuid PRIMARY KEY,
	sku        text NOT NULL,
	name       text NOT NULL,
	category   text NOT NULL,
	cost       bigint,
	currency   text NOT NULL
);
CREATE TABLE %[1]s.sales_daily (
	day date NOT NULL, store_id uuid NOT NULL, currency text NOT NULL,` + measureColumns + `,
	PRIMARY KEY (day, store_id, currency)
);
CREATE TABLE %[1]s.sales_by_product (
	day date NOT NULL, store_id uuid NOT NULL, product_id uuid NOT NULL, currency text NOT NULL,` + measureColumns + `,
	PRIMARY KEY (day, store_id, product_id, currency)
);
CREATE TABLE %[1]s.sales_by_category (
	day date NOT NULL, store_id uuid NOT NULL, category text NOT NULL, currency text NOT NULL,` + measureColumns + `,
	PRIMARY KEY (day, store_id, category, currency)
);
CREATE TABLE %[1]s.sales_by_cashier (
	day date NOT NULL, store_id uuid NOT NULL, cashier_id text NOT NULL, currency text NOT NULL,` + measureColumns + `,
	PRIMARY KEY (day, store_id, cashier_id, currency)
);
CREATE TABLE %[1]s.sales_by_hour (
	day date NOT NULL, store_id uuid NOT NULL, hour smallint NOT NULL CHECK (hour BETWEEN 0 AND 23), currency text NOT NULL,` + measureColumns + `,
	PRIMARY KEY (day, store_id, hour, currency)
);
CREATE TABLE %[1]s.sales_by_tender (
	day          date NOT NULL,
	store_id     uuid NOT NULL,
	tender       text NOT NULL,
	currency     text NOT NULL,
	transactions bigint NOT NULL DEFAULT 0,
	returns      bigint NOT NULL DEFAULT 0,
	gross        bigint NOT NULL DEFAULT 0,
	refunded     bigint NOT NULL DEFAULT 0,
	net          bigint GENERATED ALWAYS AS (gross - refunded) STORED,
	PRIMARY KEY (day, store_id, tender, currency)
);
CREATE TABLE %[1]s.returns_by_reason (
	day                date NOT NULL,
	store_id           uuid NOT NULL,
	reason             text NOT NULL,
	currency           text NOT NULL,
	returns            bigint NOT NULL DEFAULT 0,
	lines              bigint NOT NULL DEFAULT 0,
	quantity           numeric(18,3) NOT NULL DEFAULT 0,
	restocked_quantity numeric(18,3) NOT NULL DEFAULT 0,
	refunded           bigint NOT NULL DEFAULT 0,
	refunded_tax       bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (day, store_id, reason, currency)
);
CREATE TABLE %[1]s.inventory_valuation (
	location_id      uuid NOT NULL,
	product_id       uuid NOT NULL,
	currency         text NOT NULL,
	on_hand          numeric(18,3) NOT NULL,
	avg_unit_cost    bigint,
	value            bigint GENERATED ALWAYS AS (round(on_hand * coalesce(avg_unit_cost, 0))::bigint) STORED,
	last_movement_at timestamptz NOT NULL,
	PRIMARY KEY (location_id, product_id)
);
CREATE TABLE %[1]s.shifts (
	shift_id      uuid PRIMARY KEY,
	store_id      uuid,
	register_id   uuid,
	cashier_id    text,
	currency      text,
	day           date,
	opened_at     timestamptz,
	closed_at     timestamptz,
	z_number      bigint,
	opening_float bigint NOT NULL DEFAULT 0,
	sales_count   bigint NOT NULL DEFAULT 0,
	sales_total   bigint NOT NULL DEFAULT 0,
	returns_count bigint NOT NULL DEFAULT 0,
	refunds_total bigint NOT NULL DEFAULT 0,
	cash_sales    bigint NOT NULL DEFAULT 0,
	cash_refunds  bigint NOT NULL DEFAULT 0,
	late_cash     bigint NOT NULL DEFAULT 0,
	paid_in       bigint NOT NULL DEFAULT 0,
	paid_out      bigint NOT NULL DEFAULT 0,
	expected_cash bigint,
	counted_cash  bigint,
	over_short    bigint
);
CREATE VIEW %[1]s.top_products AS
	SELECT s.store_id, s.product_id, s.currency, p.sku, p.name, coalesce(p.category, '') AS category,
		sum(s.transactions)::bigint AS transactions, sum(s.quantity) AS quantity,
		sum(s.gross)::bigint AS gross, sum(s.discount)::bigint AS discount, sum(s.tax)::bigint AS tax,
		sum(s.refunded)::bigint AS refunded, sum(s.net)::bigint AS net, sum(s.cost)::bigint AS cost,
		sum(s.margin)::bigint AS margin,
		rank() OVER (PARTITION BY s.store_id, s.currency ORDER BY sum(s.net) DESC) AS rank
	FROM %[1]s.sales_by_product s LEFT JOIN %[1]s.products p USING (product_id)
	GROUP BY s.store_id, s.product_id, s.currency, p.sku, p.name, p.category;
CREATE INDEX ON %[1]s.sales_daily (store_id, day);
CREATE INDEX ON %[1]s.sales_by_product (store_id, day);
CREATE INDEX ON %[1]s.sales_by_category (store_id, day);
CREATE INDEX ON %[1]s.sales_by_cashier (store_id, day);
CREATE INDEX ON %[1]s.sales_by_hour (store_id, day);
CREATE INDEX ON %[1]s.sales_by_tender (store_id, day);
CREATE INDEX ON %[1]s.returns_by_reason (store_id, day);
CREATE INDEX ON %[1]s.shifts (store_id, day);
`

// Setup creates the report tables in schema and makes sure pos_analyst can read the stable
// views (see grantAnalyst).
func (p *Projection) Setup(ctx context.Context, tx pgx.Tx, schema string) error {
	if _, err := tx.Exec(ctx, fmt.Sprintf(ddl, pgx.Identifier{schema}.Sanitize())); err != nil {
		return fmt.Errorf("create report tables in %s: %w", schema, err)
	}
	for table, comment := range tableComments {
		sql := fmt.Sprintf(`COMMENT ON %s %s.%s IS '%s'`, kindOf(table), pgx.Identifier{schema}.Sanitize(),
			pgx.Identifier{table}.Sanitize(), strings.ReplaceAll(comment, "'", "''"))
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("comment on %s: %w", table, err)
		}
	}
	return grantAnalyst(ctx, tx)
}

func kindOf(table string) string {
	if table == "top_products" {
		return "VIEW"
	}
	return "TABLE"
}

// tableComments describe each relation (docs/reports.md has the columns).
var tableComments = map[string]string{
	"stores":              "Stores: currency and time zone (business days follow it)",
	"products":            "Products: SKU, name, category and catalog cost",
	"sales_daily":         "Sales and returns per local business day and store",
	"sales_by_product":    "Sales and returns per local business day, store and product",
	"sales_by_category":   "Sales and returns per local business day, store and product category",
	"sales_by_cashier":    "Sales and returns per local business day, store and cashier (user ID)",
	"sales_by_hour":       "Sales and returns per local business day, store and local hour of day",
	"sales_by_tender":     "Money taken and refunded per local business day, store and tender",
	"returns_by_reason":   "Returns and refunds per local business day, store and return reason",
	"inventory_valuation": "On-hand stock per location and product, valued at the moving-average unit cost of receipts",
	"shifts":              "One row per shift: cash figures, sales and refunds, and the Z report at close",
	"top_products":        "All-time product totals per store, ranked by net sales",
}
