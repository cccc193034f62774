package sales

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Queries answers sale queries from the stable views.
type Queries struct {
	db readkit.Querier
}

// NewQueries returns Queries reading through db.
func NewQueries(db readkit.Querier) *Queries { return &Queries{db: db} }

// Totals are a sale's sums as the domain prices them: running while the sale is open, final
// once completed. Total = Subtotal − Discount + exclusive Tax; Due = max(0, Total − Paid).
type Totals struct {
	Subtotal money.Money `json:"subtotal"`
	Discount money.Money `json:"discount"`
	Tax      money.Money `json:"tax"`
	Total    money.Money `json:"total"`
	Paid     money.Money `json:"paid"`
	Change   money.Money `json:"change"`
	Due      money.Money `json:"due"`
}

// Sale is a sale as listed.
type Sale struct {
	ID            uuid.UUID  `json:"id"`
	Status        string     `json:"status"`
	StoreID       uuid.UUID  `json:"store_id"`
	RegisterID    uuid.UUID  `json:"register_id"`
	ShiftID       uuid.UUID  `json:"shift_id"`
	CashierID     string     `json:"cashier_id"`
	ReceiptNumber *int64     `json:"receipt_number,omitempty"`
	Totals        Totals     `json:"totals"`
	LineCount     int        `json:"line_count"`
	OpenedAt      time.Time  `json:"opened_at"`
	CompletedAt   *time.Time `json:"completed_at,omitempty"`
	VoidedAt      *time.Time `json:"voided_at,omitempty"`
	OccurredAt    time.Time  `json:"occurred_at"`
	VoidReason    string     `json:"void_reason,omitempty"`
	Upload        bool       `json:"upload,omitempty"`
}

// Filter selects sales. StoreIDs, when not nil, is the caller's store scope. From and To bound
// occurred_at (From inclusive, To exclusive).
type Filter struct {
	StoreIDs      []uuid.UUID
	StoreID       uuid.UUID
	RegisterID    uuid.UUID
	ShiftID       uuid.UUID
	CashierID     string
	Status        string
	ReceiptNumber *int64
	From, To      time.Time
	// Q searches by receipt number, total, a line's product name or SKU, or a cashier among
	// QCashierIDs (the users whose names match Q; see search.go).
	Q           string
	QCashierIDs []string
}

// Statuses are the values Filter.Status accepts.
var Statuses = []string{"open", "checkout", "completed", "voided"}

// List lists sales; sorts: occurred_at (default -occurred_at), total, receipt_number.
func (q *Queries) List(ctx context.Context, f Filter, req readkit.Request) (readkit.Page[Sale], error) {
	l := &readkit.List[Sale]{
		Select: `SELECT id, status, store_id, register_id, shift_id, cashier_id, receipt_number, currency, subtotal, discount,
			tax, total, paid, change, due, line_count, opened_at, completed_at, voided_at, occurred_at, void_reason, upload
			FROM ` + projections.Table(Name, "sales"),
		IDColumn: "id", IDType: "uuid", ID: func(s Sale) string { return s.ID.String() },
		Sorts: []readkit.Sort[Sale]{
			{Name: "occurred_at", Column: "occurred_at", Type: "timestamptz", Key: func(s Sale) string { return readkit.TimeKey(s.OccurredAt) }},
			{Name: "total", Column: "total", Type: "bigint", Key: func(s Sale) string { return readkit.IntKey(s.Totals.Total.Amount) }},
			{Name: "receipt_number", Column: "coalesce(receipt_number, 0)", Type: "bigint", Key: func(s Sale) string {
				if s.ReceiptNumber == nil {
					return "0"
				}
				return readkit.IntKey(*s.ReceiptNumber)
			}},
		},
		Default: "-occurred_at",
		Scan:    scanSale,
	}
	if f.StoreIDs != nil {
		l.Where("store_id = ANY(" + l.Arg(f.StoreIDs) + ")")
	}
	for _, c := range []struct {
		col string
		id  uuid.UUID
	}{{"store_id", f.StoreID}, {"register_id", f.RegisterID}, {"shift_id", f.ShiftID}} {
		if c.id != uuid.Nil {
			l.Where(c.col + " = " + l.Arg(c.id))
		}
	}
	if f.CashierID != "" {
		l.Where("cashier_id = " + l.Arg(f.CashierID))
	}
	if f.Status != "" {
		l.Where("status = " + l.Arg(f.Status))
	}
	if f.ReceiptNumber != nil {
		l.Where("receipt_number = " + l.Arg(*f.ReceiptNumber))
	}
	if !f.From.IsZero() {
		l.Where("occurred_at >= " + l.Arg(f.From))
	}
	if !f.To.IsZero() {
		l.Where("occurred_at < " + l.Arg(f.To))
	}
	if strings.TrimSpace(f.Q) != "" {
		search(l, f.Q, f.QCashierIDs)
	}
	return l.Run(ctx, q.db, req)
}

func scanSale(r pgx.CollectableRow) (Sale, error) {
	var s Sale
	var cur string
	var sub, disc, tax, total, paid, change, due int64
	err := r.Scan(&s.ID, &s.Status, &s.StoreID, &s.RegisterID, &s.ShiftID, &s.CashierID, &s.ReceiptNumber, &cur, &sub, &disc,
		&tax, &total, &paid, &change, &due, &s.LineCount, &s.OpenedAt, &s.CompletedAt, &s.VoidedAt, &s.OccurredAt, &s.VoidReason, &s.Upload)
	m := func(a int64) money.Money { return money.New(a, cur) }
	s.Totals = Totals{Subtotal: m(sub), Discount: m(disc), Tax: m(tax), Total: m(total), Paid: m(paid), Change: m(change), Due: m(due)}
	return s, err
}

// Line is a sale line: the contract's id, product_id, quantity, unit_price, discount, tax and
// total, priced as the domain prices them, and what they were priced with (tax rate, the
// line's own discount rule). Priced is true once the sale is completed and the amounts are
// final; before, they are the open sale's running pricing.
type Line struct {
	ID        uuid.UUID         `json:"id"`
	SaleID    uuid.UUID         `json:"sale_id"`
	ProductID uuid.UUID         `json:"product_id"`
	SKU       string            `json:"sku"`
	Name      string            `json:"name"`
	Category  string            `json:"category,omitempty"`
	Quantity  quantity.Quantity `json:"quantity"`
	UnitPrice money.Money       `json:"unit_price"`
	TaxRateBP int64             `json:"tax_rate_bp"`
	// DiscountRule is the line's own discount rule; Discount includes its share of the sale's.
	DiscountRule *sale.Discount `json:"discount_rule,omitempty"`
	Discount     money.Money    `json:"discount"`
	Tax          money.Money    `json:"tax"`
	Total        money.Money    `json:"total"`
	Priced       bool           `json:"priced"`
	seq          int64
}

// Lines lists the lines of a sale in the order they were added (sort "seq", the only one);
// it returns an empty page for an unknown sale. StoreIDs, when not nil, is the caller's store
// scope: lines of sales elsewhere are not shown.
func (q *Queries) Lines(ctx context.Context, saleID uuid.UUID, storeIDs []uuid.UUID, req readkit.Request) (readkit.Page[Line], error) {
	l := &readkit.List[Line]{
		Select: `SELECT l.line_id, l.sale_id, l.product_id, l.sku, l.name, l.category, l.quantity, l.unit_price, l.tax_rate_bp,
			l.discount_rule_bp, l.discount_rule_amount, l.discount, l.tax, l.total, l.priced, l.seq, s.currency FROM ` + projections.Table(Name, "sale_lines") + ` l
			JOIN ` + projections.Table(Name, "sales") + ` s ON s.id = l.sale_id`,
		IDColumn: "l.line_id", IDType: "uuid", ID: func(l Line) string { return l.ID.String() },
		Sorts:   []readkit.Sort[Line]{{Name: "seq", Column: "l.seq", Type: "bigint", Key: func(l Line) string { return readkit.IntKey(l.seq) }}},
		Default: "seq",
		Scan: func(r pgx.CollectableRow) (l Line, err error) {
			var cur string
			var qty, unit, ruleBP, ruleAmt, disc, tax, total int64
			err = r.Scan(&l.ID, &l.SaleID, &l.ProductID, &l.SKU, &l.Name, &l.Category, &qty, &unit, &l.TaxRateBP, &ruleBP, &ruleAmt,
				&disc, &tax, &total, &l.Priced, &l.seq, &cur)
			l.Quantity = quantity.FromMilli(qty)
			if d := rule(ruleBP, ruleAmt, cur); !d.IsZero() {
				l.DiscountRule = &d
			}
			l.UnitPrice, l.Discount, l.Tax, l.Total = money.New(unit, cur), money.New(disc, cur), money.New(tax, cur), money.New(total, cur)
			return l, err
		},
	}
	l.Where("l.sale_id = " + l.Arg(saleID))
	if storeIDs != nil {
		l.Where("s.store_id = ANY(" + l.Arg(storeIDs) + ")")
	}
	return l.Run(ctx, q.db, req)
}
