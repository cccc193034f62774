package returns

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/money"
	dreturns "github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Queries answers return queries from the stable views.
type Queries struct {
	db readkit.Querier
}

// NewQueries returns Queries reading through db.
func NewQueries(db readkit.Querier) *Queries { return &Queries{db: db} }

// Return is a return as listed.
type Return struct {
	ID         uuid.UUID         `json:"id"`
	SaleID     *uuid.UUID        `json:"sale_id,omitempty"`
	StoreID    uuid.UUID         `json:"store_id"`
	RegisterID *uuid.UUID        `json:"register_id,omitempty"`
	ShiftID    *uuid.UUID        `json:"shift_id,omitempty"`
	CashierID  string            `json:"cashier_id"`
	NoReceipt  bool              `json:"no_receipt"`
	Net        money.Money       `json:"net"`
	Tax        money.Money       `json:"tax"`
	Total      money.Money       `json:"total"`
	CashOut    money.Money       `json:"cash_out"`
	Refunds    []dreturns.Refund `json:"refunds"`
	ApprovedBy string            `json:"approved_by,omitempty"`
	LineCount  int               `json:"line_count"`
	ReturnedAt time.Time         `json:"returned_at"`
}

// Filter selects returns. StoreIDs, when not nil, is the caller's store scope. From and To
// bound returned_at (From inclusive, To exclusive).
type Filter struct {
	StoreIDs  []uuid.UUID
	StoreID   uuid.UUID
	SaleID    uuid.UUID
	ShiftID   uuid.UUID
	CashierID string
	NoReceipt *bool
	From, To  time.Time
}

// List lists returns; sorts: returned_at (default -returned_at), total.
func (q *Queries) List(ctx context.Context, f Filter, req readkit.Request) (readkit.Page[Return], error) {
	l := &readkit.List[Return]{
		Select: `SELECT id, sale_id, store_id, register_id, shift_id, cashier_id, no_receipt, currency, net, tax, total, cash_out,
			refunds, approved_by, line_count, returned_at FROM ` + projections.Table(Name, "returns"),
		IDColumn: "id", IDType: "uuid", ID: func(r Return) string { return r.ID.String() },
		Sorts: []readkit.Sort[Return]{
			{Name: "returned_at", Column: "returned_at", Type: "timestamptz", Key: func(r Return) string { return readkit.TimeKey(r.ReturnedAt) }},
			{Name: "total", Column: "total", Type: "bigint", Key: func(r Return) string { return readkit.IntKey(r.Total.Amount) }},
		},
		Default: "-returned_at",
		Scan: func(row pgx.CollectableRow) (r Return, err error) {
			var cur string
			var net, tax, total, cash int64
			var refunds []byte
			if err = row.Scan(&r.ID, &r.SaleID, &r.StoreID, &r.RegisterID, &r.ShiftID, &r.CashierID, &r.NoReceipt, &cur, &net, &tax,
				&total, &cash, &refunds, &r.ApprovedBy, &r.LineCount, &r.ReturnedAt); err != nil {
				return r, err
			}
			r.Net, r.Tax, r.Total, r.CashOut = money.New(net, cur), money.New(tax, cur), money.New(total, cur), money.New(cash, cur)
			r.Refunds = []dreturns.Refund{}
			return r, json.Unmarshal(refunds, &r.Refunds)
		},
	}
	if f.StoreIDs != nil {
		l.Where("store_id = ANY(" + l.Arg(f.StoreIDs) + ")")
	}
	if f.StoreID != uuid.Nil {
		l.Where("store_id = " + l.Arg(f.StoreID))
	}
	if f.SaleID != uuid.Nil {
		l.Where("sale_id = " + l.Arg(f.SaleID))
	}
	if f.ShiftID != uuid.Nil {
		l.Where("shift_id = " + l.Arg(f.ShiftID))
	}
	if f.CashierID != "" {
		l.Where("cashier_id = " + l.Arg(f.CashierID))
	}
	if f.NoReceipt != nil {
		l.Where("no_receipt = " + l.Arg(*f.NoReceipt))
	}
	if !f.From.IsZero() {
		l.Where("returned_at >= " + l.Arg(f.From))
	}
	if !f.To.IsZero() {
		l.Where("returned_at < " + l.Arg(f.To))
	}
	return l.Run(ctx, q.db, req)
}
