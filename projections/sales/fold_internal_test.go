package sales

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
)

// TestCompletionDeletesStoredLinesOnlyAfterARemoval folds batches that complete a sale opened
// in an earlier batch without loading it: the delete of its other stored lines is queued only
// when the batch removed one of its lines (otherwise every stored line is among the
// completion's, and the delete would only cost a scan).
func TestCompletionDeletesStoredLinesOnlyAfterARemoval(t *testing.T) {
	id, l1, l2 := uuid.New(), uuid.New(), uuid.New()
	eur := func(a int64) money.Money { return money.New(a, "EUR") }
	done := sale.SaleCompleted{SaleID: id, StoreID: uuid.New(), RegisterID: uuid.New(), ShiftID: uuid.New(), CashierID: "c",
		ReceiptNumber: 1, CompletedAt: time.Now(), Totals: sale.Totals{Subtotal: eur(100), Total: eur(100), Paid: eur(100)},
		Lines: []sale.PricedLine{{Line: sale.Line{ID: l1, ProductID: uuid.New(), SKU: "S", Name: "N", Quantity: quantity.FromInt(1),
			UnitPrice: eur(100)}, Amount: eur(100), Net: eur(100), Total: eur(100)}}}
	deletes := func(evs ...sale.Event) int {
		items := make([]item, len(evs))
		for i, v := range evs {
			items[i] = item{eventstore.RecordedEvent{Position: eventstore.Position(i + 1)}, v}
		}
		older := toLoad(items)
		if len(older) != 0 {
			t.Fatalf("loads %v", older)
		}
		f := newFold(older, nil)
		for _, it := range items {
			f.apply(it.e, it.v)
		}
		b := &pgx.Batch{}
		if err := f.queue(b, "s", "l"); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, q := range b.QueuedQueries {
			if strings.HasPrefix(strings.TrimSpace(q.SQL), "DELETE") {
				n++
			}
		}
		return n
	}
	if n := deletes(sale.PaymentAdded{SaleID: id, Payment: sale.Payment{ID: uuid.New(), Tender: "cash", Amount: eur(100)}}, done); n != 0 {
		t.Fatalf("completion without a removal queues %d deletes, want none", n)
	}
	if n := deletes(sale.LineRemoved{SaleID: id, LineID: l2}, done); n != 1 {
		t.Fatalf("completion after a removal queues %d deletes, want 1", n)
	}
}
