package shifts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Queries answers shift queries from the stable views.
type Queries struct {
	db readkit.Querier
}

// NewQueries returns Queries reading through db.
func NewQueries(db readkit.Querier) *Queries { return &Queries{db: db} }

// Tender is what one tender took in and paid out during a shift; Count is the number of sales
// and returns that used it.
type Tender struct {
	Tender  string      `json:"tender"`
	Sales   money.Money `json:"sales"`
	Refunds money.Money `json:"refunds"`
	Count   int         `json:"count"`
}

// Shift is a shift with its X (open) or Z (closed) report figures. ExpectedCash is
// opening float + cash sales − cash refunds + paid in − paid out while open, the close's
// figure once closed.
type Shift struct {
	ID           uuid.UUID   `json:"id"`
	StoreID      uuid.UUID   `json:"store_id"`
	RegisterID   uuid.UUID   `json:"register_id"`
	CashierID    string      `json:"cashier_id"`
	Status       string      `json:"status"`
	OpenedAt     time.Time   `json:"opened_at"`
	ClosedAt     *time.Time  `json:"closed_at,omitempty"`
	ZNumber      *int64      `json:"z_number,omitempty"`
	OpeningFloat money.Money `json:"opening_float"`
	CashSales    money.Money `json:"cash_sales"`
	CashRefunds  money.Money `json:"cash_refunds"`
	PaidIn       money.Money `json:"paid_in"`
	PaidOut      money.Money `json:"paid_out"`
	// ExpectedCash is nil only for a shift recorded before the amount bounds (issue 11.1) whose
	// figures overflow 64 bits: the list still answers, with that one figure left out.
	ExpectedCash   *money.Money `json:"expected_cash,omitempty"`
	CountedCash    *money.Money `json:"counted_cash,omitempty"`
	OverShort      *money.Money `json:"over_short,omitempty"`
	SalesCount     int          `json:"sales_count"`
	LateSales      int          `json:"late_sales"`
	LateRefunds    int          `json:"late_refunds"`
	ApprovedBy     string       `json:"approved_by,omitempty"`
	CompletedSales int          `json:"completed_sales"`
	GrossSales     money.Money  `json:"gross_sales"`
	SalesTax       money.Money  `json:"sales_tax"`
	SalesDiscount  money.Money  `json:"sales_discount"`
	ReturnsCount   int          `json:"returns_count"`
	ReturnsTotal   money.Money  `json:"returns_total"`
	Tenders        []Tender     `json:"tenders"`
}

// Filter selects shifts. StoreIDs, when not nil, is the caller's store scope. From and To bound
// opened_at (From inclusive, To exclusive).
type Filter struct {
	StoreIDs   []uuid.UUID
	StoreID    uuid.UUID
	RegisterID uuid.UUID
	CashierID  string
	Status     string
	From, To   time.Time
}

// Statuses are the values Filter.Status accepts.
var Statuses = []string{"open", "closing", "closed"}

// List lists shifts with their tenders; sorts: opened_at (default -opened_at).
func (q *Queries) List(ctx context.Context, f Filter, req readkit.Request) (readkit.Page[Shift], error) {
	l := &readkit.List[Shift]{
		Select: `SELECT id, store_id, register_id, cashier_id, status, opened_at, closed_at, z_number, currency, opening_float,
			cash_sales, cash_refunds, paid_in, paid_out,
			coalesce(expected_cash, ` + checkedBigint(`opening_float::numeric + cash_sales - cash_refunds + paid_in - paid_out`) + `), counted_cash, over_short,
			sales_count, late_sales, late_refunds, approved_by, completed_sales, gross_sales, sales_tax, sales_discount,
			returns_count, returns_total FROM ` + projections.Table(Name, "shifts"),
		IDColumn: "id", IDType: "uuid", ID: func(s Shift) string { return s.ID.String() },
		Sorts: []readkit.Sort[Shift]{
			{Name: "opened_at", Column: "opened_at", Type: "timestamptz", Key: func(s Shift) string { return readkit.TimeKey(s.OpenedAt) }},
		},
		Default: "-opened_at",
		Scan:    scanShift,
	}
	if f.StoreIDs != nil {
		l.Where("store_id = ANY(" + l.Arg(f.StoreIDs) + ")")
	}
	if f.StoreID != uuid.Nil {
		l.Where("store_id = " + l.Arg(f.StoreID))
	}
	if f.RegisterID != uuid.Nil {
		l.Where("register_id = " + l.Arg(f.RegisterID))
	}
	if f.CashierID != "" {
		l.Where("cashier_id = " + l.Arg(f.CashierID))
	}
	if f.Status != "" {
		l.Where("status = " + l.Arg(f.Status))
	}
	if !f.From.IsZero() {
		l.Where("opened_at >= " + l.Arg(f.From))
	}
	if !f.To.IsZero() {
		l.Where("opened_at < " + l.Arg(f.To))
	}
	page, err := l.Run(ctx, q.db, req)
	if err != nil || len(page.Items) == 0 {
		return page, err
	}
	return page, q.attachTenders(ctx, page.Items)
}

// attachTenders reads the tenders of shifts in one query.
func (q *Queries) attachTenders(ctx context.Context, shifts []Shift) error {
	ids := make([]uuid.UUID, len(shifts))
	at := make(map[uuid.UUID]int, len(shifts))
	for i := range shifts {
		ids[i], at[shifts[i].ID] = shifts[i].ID, i
		shifts[i].Tenders = []Tender{}
	}
	rows, err := q.db.Query(ctx, `SELECT shift_id, tender, sales, refunds, count FROM `+projections.Table(Name, "shift_tenders")+`
		WHERE shift_id = ANY($1) ORDER BY shift_id, tender`, ids)
	if err != nil {
		return fmt.Errorf("shift tenders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var t Tender
		var sales, refunds int64
		if err := rows.Scan(&id, &t.Tender, &sales, &refunds, &t.Count); err != nil {
			return fmt.Errorf("shift tenders: %w", err)
		}
		s := &shifts[at[id]]
		cur := s.OpeningFloat.Currency
		t.Sales, t.Refunds = money.New(sales, cur), money.New(refunds, cur)
		s.Tenders = append(s.Tenders, t)
	}
	return rows.Err()
}

func scanShift(r pgx.CollectableRow) (Shift, error) {
	var s Shift
	var cur string
	var float, cashSales, cashRefunds, paidIn, paidOut, gross, tax, disc, returns int64
	var expected, counted, overShort *int64
	err := r.Scan(&s.ID, &s.StoreID, &s.RegisterID, &s.CashierID, &s.Status, &s.OpenedAt, &s.ClosedAt, &s.ZNumber, &cur, &float,
		&cashSales, &cashRefunds, &paidIn, &paidOut, &expected, &counted, &overShort, &s.SalesCount, &s.LateSales, &s.LateRefunds,
		&s.ApprovedBy, &s.CompletedSales, &gross, &tax, &disc, &s.ReturnsCount, &returns)
	m := func(a int64) money.Money { return money.New(a, cur) }
	s.OpeningFloat, s.CashSales, s.CashRefunds, s.PaidIn, s.PaidOut = m(float), m(cashSales), m(cashRefunds), m(paidIn), m(paidOut)
	s.GrossSales, s.SalesTax, s.SalesDiscount, s.ReturnsTotal = m(gross), m(tax), m(disc), m(returns)
	if expected != nil {
		e := m(*expected)
		s.ExpectedCash = &e
	}
	if counted != nil {
		c := m(*counted)
		s.CountedCash = &c
	}
	if overShort != nil {
		o := m(*overShort)
		s.OverShort = &o
	}
	return s, err
}

// checkedBigint is the SQL of the numeric expression expr as a bigint, or NULL when it does
// not fit: a sum of bigint columns computed at query time must not fail the whole list.
func checkedBigint(expr string) string {
	return `(SELECT CASE WHEN x BETWEEN -9223372036854775808 AND 9223372036854775807 THEN x::bigint END FROM (SELECT ` + expr + ` AS x) checked)`
}
