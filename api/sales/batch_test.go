package sales_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/sales"
	"github.com/odata-pos/pos/eventstore"
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

// TestABatchIsWrittenInFewTransactionsAsOneByOne (PostgreSQL): a batch's sales are written
// in one transaction, or one per run of sales between those it answers otherwise, and leave
// in $all what the same sales sent one by one leave (streams, types, commands, users, in that
// order) with the receipt numbers following on; a sale refused in the middle gets its problem
// and a sale already stored its original answer; sent again, the batch writes nothing.
func TestABatchIsWrittenInFewTransactionsAsOneByOne(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	body := func() map[string]any {
		return w.saleBody(uuid.New(), []map[string]any{line(w.bread, "1"), line(w.wine, "2")}, []map[string]any{pay("cash", 3000)}, true)
	}
	head := func() eventstore.Position {
		p, err := w.Store.HeadPosition(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// written is $all after from as (stream, type, command without its content's fingerprint,
	// user), the IDs of sales replaced by their names.
	fingerprint := regexp.MustCompile(`:[0-9a-f]{16}\b`)
	written := func(from eventstore.Position, sales []map[string]any) []string {
		evs, err := w.Store.ReadAll(ctx, from, 1000, eventstore.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(evs))
		for i, e := range evs {
			s := e.Stream + " " + e.Type + " " + fingerprint.ReplaceAllString(e.Metadata.CommandID, "") + " " + e.Metadata.UserID
			for k, b := range sales {
				s = strings.ReplaceAll(s, b["id"].(uuid.UUID).String(), fmt.Sprint("S", k))
			}
			out[i] = s
		}
		return out
	}
	transactions := func(from eventstore.Position) int {
		var n int
		if err := w.DB.QueryRow(ctx, `SELECT count(DISTINCT xmin::text) FROM events WHERE position > $1`, int64(from)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	stored := body()
	w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, stored)
	alone := []map[string]any{body(), body(), body(), body()}
	from := head()
	for _, b := range alone {
		w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, b)
	}
	oneByOne := written(from, alone)

	fresh := []map[string]any{body(), body(), body(), body()}
	unknown := w.saleBody(uuid.New(), []map[string]any{line(uuid.New(), "1")}, []map[string]any{pay("cash", 500)}, true)
	batch := []map[string]any{fresh[0], fresh[1], unknown, fresh[2], stored, fresh[3]}
	from = head()
	var v sales.BatchView
	w.Must(http.StatusOK, "POST", "/api/v1/sales/batch", w.cashier, map[string]any{"sales": batch}).JSON(t, &v)
	if got := written(from, fresh); strings.Join(got, "\n") != strings.Join(oneByOne, "\n") {
		t.Fatalf("written by the batch:\n%s\none by one:\n%s", strings.Join(got, "\n"), strings.Join(oneByOne, "\n"))
	}
	// The sales before the stored one in one transaction, the last in another.
	if n := transactions(from); n != 2 {
		t.Fatalf("the batch wrote in %d transactions, want 2", n)
	}
	want := []int64{6, 7, 0, 8, 1, 9}
	for i, it := range v.Items {
		if i == 2 {
			if it.Status != http.StatusUnprocessableEntity || it.Problem == nil {
				t.Fatalf("unknown product: %+v", it)
			}
			continue
		}
		if it.Status != http.StatusCreated || it.Sale.Status != "completed" || it.Sale.ReceiptNumber != want[i] {
			t.Fatalf("sale %d: %+v, want receipt %d", i, it, want[i])
		}
	}
	from = head()
	var again sales.BatchView
	w.Must(http.StatusOK, "POST", "/api/v1/sales/batch", w.cashier, map[string]any{"sales": batch}).JSON(t, &again)
	for i, it := range again.Items {
		if it.Status != v.Items[i].Status || it.Sale != nil && (it.Sale.ReceiptNumber != want[i] || it.Sale.Revision != v.Items[i].Sale.Revision) {
			t.Fatalf("sale %d sent again: %+v, first %+v", i, it, v.Items[i])
		}
	}
	if head() != from {
		t.Fatalf("the batch sent again wrote: head %d → %d", from, head())
	}
}
