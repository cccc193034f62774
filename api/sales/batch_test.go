package sales_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/sales"
)

// TestABatchRecordsEachSaleAsPOSTSalesWould: POST /sales/batch answers every sale with the
// status POST /sales gives it — recorded, refused for its own reason, outside the caller's
// store — in the order sent; sent again, the recorded sales replay with their receipt
// numbers. Fifty sales are one request for the per-user rate limit (20/s, burst 40).
func TestABatchRecordsEachSaleAsPOSTSalesWould(t *testing.T) {
	w := newWorld(t)
	var batch []map[string]any
	for range 48 {
		batch = append(batch, w.saleBody(uuid.New(), []map[string]any{line(w.bread, "1")}, []map[string]any{pay("cash", 500)}, true))
	}
	unknown := w.saleBody(uuid.New(), []map[string]any{line(uuid.New(), "1")}, nil, true)
	foreign := w.saleBody(uuid.New(), []map[string]any{line(w.bread, "1")}, nil, true)
	foreign["store_id"], foreign["register_id"] = w.storeB, w.regB
	batch = append(batch, unknown, foreign)
	answer := func() sales.BatchView {
		var v sales.BatchView
		if err := json.Unmarshal(w.Must(http.StatusOK, "POST", "/api/v1/sales/batch", w.cashier, map[string]any{"sales": batch}).Body, &v); err != nil {
			t.Fatal(err)
		}
		if len(v.Items) != len(batch) {
			t.Fatalf("%d items for %d sales", len(v.Items), len(batch))
		}
		return v
	}
	first := answer()
	for i, it := range first.Items[:48] {
		if it.Status != http.StatusCreated || it.Sale == nil || it.Sale.Status != "completed" || it.Sale.ReceiptNumber != int64(i+1) {
			t.Fatalf("sale %d: %+v", i, it)
		}
	}
	if it := first.Items[48]; it.Status != http.StatusUnprocessableEntity || it.Problem == nil || it.ID != unknown["id"].(uuid.UUID).String() {
		t.Fatalf("unknown product: %+v", it)
	}
	if it := first.Items[49]; it.Status != http.StatusForbidden || it.Problem == nil {
		t.Fatalf("another store's sale: %+v", it)
	}
	again := answer()
	for i, it := range again.Items[:48] {
		if it.Status != http.StatusCreated || it.Sale.ReceiptNumber != int64(i+1) || it.Sale.Revision != first.Items[i].Sale.Revision {
			t.Fatalf("sale %d sent again: %+v", i, it)
		}
	}
	w.Must(http.StatusBadRequest, "POST", "/api/v1/sales/batch", w.cashier, map[string]any{"sales": []any{}})
	w.Must(http.StatusBadRequest, "POST", "/api/v1/sales/batch", w.cashier, map[string]any{"sales": make([]map[string]any, sales.MaxBatchSales+1)})
	w.Must(http.StatusBadRequest, "POST", "/api/v1/sales/batch", w.cashier, map[string]any{"sales": batch[:1]}, "If-Match", `"1"`)
}
