package returns_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	dreturns "github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/returns"
)

func eur(a int64) money.Money { return money.New(a, "EUR") }

func TestFoldReturns(t *testing.T) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection { return []projections.Projection{returns.New(c)} })
	q := returns.NewQueries(e.Pool)
	ctx := context.Background()
	st, other, saleID := uuid.New(), uuid.New(), uuid.New()
	at := time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)
	r1, r2 := uuid.New(), uuid.New()
	rec := dreturns.ReturnRecorded{ReturnID: r1, SaleID: saleID, StoreID: st, ShiftID: uuid.New(),
		Lines: []dreturns.ReturnedLine{{SaleLineID: uuid.New(), ProductID: uuid.New(), SKU: "A", Quantity: quantity.FromInt(1), UnitPrice: eur(500),
			Restock: true, Reason: "damaged", Net: eur(417), Tax: eur(83), Refund: eur(500)}},
		Refunds: []dreturns.Refund{{ID: uuid.New(), Tender: "cash", Amount: eur(500)}},
		Net:     eur(417), Tax: eur(83), Total: eur(500), CashOut: eur(500), ReturnedAt: at}
	e.Append("return-"+r1.String(), eventstore.Metadata{UserID: "cashier-1"}, rec)
	e.Append("returnledger-"+saleID.String(), eventstore.Metadata{UserID: "cashier-1"}, dreturns.ReturnBooked{SaleID: saleID, Return: rec})
	e.Append("return-"+r2.String(), eventstore.Metadata{UserID: "manager-1"}, dreturns.ReturnRecorded{ReturnID: r2, StoreID: other, NoReceipt: true,
		ApprovedBy: "manager-1", Total: eur(900), Refunds: []dreturns.Refund{{ID: uuid.New(), Tender: "store_credit", Amount: eur(900)}},
		ReturnedAt: at.Add(time.Hour)})
	e.Sync(returns.Name)

	p, err := q.List(ctx, returns.Filter{}, readkit.Request{})
	if err != nil || len(p.Items) != 2 || p.Items[0].ID != r2 {
		t.Fatalf("list: %+v %v", p.Items, err)
	}
	p, _ = q.List(ctx, returns.Filter{SaleID: saleID}, readkit.Request{})
	if len(p.Items) != 1 || p.Items[0].CashierID != "cashier-1" || p.Items[0].Total.Amount != 500 || p.Items[0].LineCount != 1 ||
		len(p.Items[0].Refunds) != 1 || p.Items[0].Refunds[0].Tender != "cash" || p.Items[0].NoReceipt {
		t.Fatalf("by sale: %+v", p.Items)
	}
	p, _ = q.List(ctx, returns.Filter{StoreIDs: []uuid.UUID{other}}, readkit.Request{})
	if len(p.Items) != 1 || !p.Items[0].NoReceipt || p.Items[0].SaleID != nil || p.Items[0].ApprovedBy != "manager-1" {
		t.Fatalf("scoped: %+v", p.Items)
	}
	var n int
	if err := e.Pool.QueryRow(ctx, `SELECT count(*) FROM returns.return_lines WHERE restock AND reason = 'damaged'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("lines: %d %v", n, err)
	}
}
