package sales_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales"
	"github.com/odata-pos/pos/api/sales/salestest"
)

// TestReceiptNumbersUnderConcurrentCompletions: ten tills of one register complete 250 sales
// at once, past two snapshots of the register and shift streams: receipts 1..250, no gap, no
// duplicate; the shift counts every cash sale.
func TestReceiptNumbersUnderConcurrentCompletions(t *testing.T) {
	w := newWorld(t)
	const tills, each = 10, 25
	const n = tills * each
	receipts := make([]int64, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range tills {
		wg.Go(func() {
			token := salestest.Token(t, w.API, fmt.Sprint("till-", i), authz.RoleCashier, w.storeA.String())
			for range each {
				body := w.saleBody(uuid.New(), []map[string]any{line(w.bread, "1")}, []map[string]any{pay("cash", 500)}, true)
				r := w.Do("POST", "/api/v1/sales", token, body)
				if r.Status != http.StatusCreated {
					t.Errorf("till %d: status %d: %s", i, r.Status, r.Body)
					return
				}
				mu.Lock()
				receipts = append(receipts, w.sale(r).ReceiptNumber)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	slices.Sort(receipts)
	for i, r := range receipts {
		if r != int64(i+1) {
			t.Fatalf("receipt numbers %v, want 1..%d", receipts, n)
		}
	}
	rep := w.Must(http.StatusOK, "GET", "/api/v1/shifts/"+w.shiftA.String()+"/report", w.cashier, nil).Map(t)
	if rep["sales_count"] != float64(n) || rep["cash_sales"].(map[string]any)["amount"] != float64(n*299) {
		t.Fatalf("shift after %d cash sales of 2.99: %v", n, rep)
	}
	var snapshots int
	if err := w.DB.QueryRow(context.Background(), `SELECT count(*) FROM aggregate_snapshots WHERE stream_id IN ($1, $2)`,
		"shift-"+w.shiftA.String(), "register-"+w.regA.String()).Scan(&snapshots); err != nil || snapshots != 2 {
		t.Fatalf("%d snapshots of the register and the shift (%v): the loads did not go through them", snapshots, err)
	}
}

// TestTwentyClientsHammeringOneSale: twenty clients add lines and payments to one open sale
// at once. Every answer is 2xx or 409 (never a 5xx), and the final sale holds exactly the
// lines and payments that were acknowledged, adds up, and completes.
func TestTwentyClientsHammeringOneSale(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	base := "/api/v1/sales/" + id.String()
	w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(id, []map[string]any{line(w.wine, "1")}, nil, false))
	const clients = 20
	var mu sync.Mutex
	lines, payments := map[string]bool{}, map[string]int64{}
	counts := map[int]int{}
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			token := salestest.Token(t, w.API, fmt.Sprint("hammer-", i), authz.RoleCashier, w.storeA.String())
			record := func(status int) {
				mu.Lock()
				counts[status]++
				mu.Unlock()
			}
			for range 2 {
				l := line(w.bread, "1")
				r := w.Do("POST", base+"/lines", token, l)
				record(r.Status)
				if r.Status == http.StatusOK {
					mu.Lock()
					lines[l["id"].(uuid.UUID).String()] = true
					mu.Unlock()
				}
				p := pay("cash", 150)
				for range 2 { // the second is a client retry of the same payment
					r = w.Do("POST", base+"/payments", token, p)
					record(r.Status)
					if r.Status == http.StatusOK {
						mu.Lock()
						payments[p["id"].(uuid.UUID).String()] = 150
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	for status, n := range counts {
		if status != http.StatusOK && status != http.StatusConflict {
			t.Fatalf("statuses %v: %d answers with %d", counts, n, status)
		}
	}
	v := w.sale(w.Must(http.StatusOK, "GET", base, w.cashier, nil))
	if len(v.Lines) != len(lines)+1 || len(v.Payments) != len(payments) {
		t.Fatalf("sale has %d lines and %d payments; acknowledged %d lines (+1) and %d payments (statuses %v)",
			len(v.Lines), len(v.Payments), len(lines), len(payments), counts)
	}
	for _, p := range v.Payments {
		if payments[p.ID] != p.Amount.Amount {
			t.Fatalf("payment %s of %d was not acknowledged", p.ID, p.Amount.Amount)
		}
	}
	want := int64(1000 + 299*len(lines))
	checkTotals(t, v, want, 0, v.Totals.Tax.Amount, want, int64(150*len(payments)), max(0, int64(150*len(payments))-want))
	if v.Totals.Due.Amount > 0 {
		w.Must(http.StatusOK, "POST", base+"/payments", w.cashier, pay("cash", v.Totals.Due.Amount))
	}
	done := w.sale(w.Must(http.StatusOK, "POST", base+"/complete", w.cashier, nil))
	if done.Status != "completed" || done.Totals.Paid.Amount-done.Totals.Change.Amount != done.Totals.Total.Amount {
		t.Fatalf("completed = %+v", done)
	}
	t.Logf("answers: %v; %d lines, %d payments", counts, len(lines), len(payments))
}

// TestReceiptNumbersUnderBatchesAndTillsAtOnce: two registers' queued sales are uploaded in
// batches while four tills of the same register complete sales one at a time: a batch whose
// atomic write finds a stream moved goes one by one. Every sale is recorded once, receipts
// 1..n without gap or duplicate, and the shift counts every cash sale.
func TestReceiptNumbersUnderBatchesAndTillsAtOnce(t *testing.T) {
	w := newWorld(t)
	const tills, each, uploaders, batches, batchSize = 4, 15, 2, 2, 25
	const n = tills*each + uploaders*batches*batchSize
	receipts := make([]int64, 0, n)
	var mu sync.Mutex
	record := func(r int64) {
		mu.Lock()
		receipts = append(receipts, r)
		mu.Unlock()
	}
	sale := func() map[string]any {
		return w.saleBody(uuid.New(), []map[string]any{line(w.bread, "1")}, []map[string]any{pay("cash", 500)}, true)
	}
	var wg sync.WaitGroup
	for i := range tills {
		wg.Go(func() {
			token := salestest.Token(t, w.API, fmt.Sprint("till-", i), authz.RoleCashier, w.storeA.String())
			for range each {
				r := w.Do("POST", "/api/v1/sales", token, sale())
				if r.Status != http.StatusCreated {
					t.Errorf("till %d: status %d: %s", i, r.Status, r.Body)
					return
				}
				record(w.sale(r).ReceiptNumber)
			}
		})
	}
	for i := range uploaders {
		wg.Go(func() {
			token := salestest.Token(t, w.API, fmt.Sprint("uploader-", i), authz.RoleCashier, w.storeA.String())
			for range batches {
				batch := make([]map[string]any, batchSize)
				for k := range batch {
					batch[k] = sale()
				}
				r := w.Do("POST", "/api/v1/sales/batch", token, map[string]any{"sales": batch})
				var v sales.BatchView
				if r.Status != http.StatusOK || json.Unmarshal(r.Body, &v) != nil {
					t.Errorf("uploader %d: status %d: %s", i, r.Status, r.Body)
					return
				}
				for _, it := range v.Items {
					if it.Status != http.StatusCreated {
						t.Errorf("uploader %d: %+v", i, it)
						return
					}
					record(it.Sale.ReceiptNumber)
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	slices.Sort(receipts)
	for i, r := range receipts {
		if r != int64(i+1) {
			t.Fatalf("receipt numbers %v, want 1..%d", receipts, n)
		}
	}
	rep := w.Must(http.StatusOK, "GET", "/api/v1/shifts/"+w.shiftA.String()+"/report", w.cashier, nil).Map(t)
	if rep["sales_count"] != float64(n) || rep["cash_sales"].(map[string]any)["amount"] != float64(n*299) {
		t.Fatalf("shift after %d cash sales of 2.99: %v", n, rep)
	}
}
