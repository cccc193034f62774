package reports_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/stock"
)

// TestLastMovementAtDoesNotDependOnTheOrderOfMovements: the stock policies of sales and of
// returns append one product's movements concurrently, in either order. inventory_valuation
// ends the same either way, in one batch or in batches of one over restarts: its on hand, and
// as last_movement_at the latest time among the movements, not the time of the last appended.
func TestLastMovementAtDoesNotDependOnTheOrderOfMovements(t *testing.T) {
	loc, prod := uuid.New(), uuid.New()
	stream := "stock-" + loc.String() + "-" + prod.String()
	moved := func(kind string, delta, onHand int64, at time.Time) scenarioEvent {
		m := stock.StockMoved{LocationID: loc, ProductID: prod, Kind: kind, MovementID: uuid.NewString(),
			Delta: quantity.FromInt(delta), OnHand: quantity.FromInt(onHand), At: at}
		if kind == stock.KindReceipt {
			cost := money.New(250, "EUR")
			m.UnitCost = &cost
		}
		data, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return scenarioEvent{stream: stream, typ: stock.TypeStockMoved, data: data}
	}
	returned := time.Date(2025, 3, 31, 9, 0, 0, 0, time.UTC)
	sold := returned.Add(time.Hour) // the sale, an hour after the return, was appended first
	receipt := moved(stock.KindReceipt, 10, 10, returned.Add(-time.Hour))
	saleFirst := []scenarioEvent{receipt, moved(stock.KindSale, -1, 9, sold), moved(stock.KindReturn, 1, 10, returned)}
	returnFirst := []scenarioEvent{receipt, moved(stock.KindReturn, 1, 11, returned), moved(stock.KindSale, -1, 10, sold)}
	want := projectDumping(t, returnFirst, 500, 1, dumpValuation)
	if !strings.Contains(want, "2025-03-31 10:00:00") {
		t.Fatalf("inventory_valuation lacks the sale's time as its last movement:\n%s", want)
	}
	for _, c := range []struct {
		name             string
		evs              []scenarioEvent
		batchSize, parts int
	}{
		{"sale appended first", saleFirst, 500, 1},
		{"sale appended first, batches of 1 in 3 runs", saleFirst, 1, 3},
	} {
		if got := projectDumping(t, c.evs, c.batchSize, c.parts, dumpValuation); got != want {
			t.Errorf("%s: tables differ from the return appended first:\n%s", c.name, diffLines(want, got))
		}
	}
}

// dumpValuation returns the rows of reports.inventory_valuation, as text.
func dumpValuation(tb testing.TB, pool *pgxpool.Pool) string {
	tb.Helper()
	rows, err := pool.Query(context.Background(), `SELECT v::text FROM reports.inventory_valuation v ORDER BY 1`)
	if err != nil {
		tb.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
