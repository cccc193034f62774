package returns_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/store"
)

type returnOut struct {
	ID         string `json:"id"`
	ApprovedBy string `json:"approved_by"`
	NoReceipt  bool   `json:"no_receipt"`
	Total      struct {
		Amount int64 `json:"amount"`
	} `json:"total"`
	Lines []struct {
		Refund struct {
			Amount int64 `json:"amount"`
		} `json:"refund"`
	} `json:"lines"`
	Refunds []struct {
		Tender string `json:"tender"`
	} `json:"refunds"`
	Revision uint64 `json:"revision"`
	Position uint64 `json:"position"`
}

func line(saleLineID uuid.UUID, qty string, restock bool) map[string]any {
	return map[string]any{"sale_line_id": saleLineID, "quantity": qty, "restock": restock, "reason": "damaged"}
}

func TestPartialReturnRefundsApportionedNetAndRestocksThroughThePolicy(t *testing.T) {
	f := newFixture(t, nil)
	f.runPolicies()
	tok := f.env.AdminToken
	f.env.Must(http.StatusCreated, http.MethodPost, "/api/v1/inventory/receipts", tok, map[string]any{
		"id": uuid.New(), "location_id": f.storeID, "lines": []any{map[string]any{"product_id": f.bread, "quantity": 10}}})
	// 3 bread at 2.99 = 8.97, 10 % off the sale: 8.07 paid by card.
	saleID, lineID, total := f.sell("3", 1000, "card")
	if total.Amount != 807 {
		t.Fatalf("sale total %d", total.Amount)
	}
	f.waitOnHand("7")

	retID := uuid.New()
	body := map[string]any{"id": retID, "sale_id": saleID, "shift_id": f.shiftID, "lines": []any{line(lineID, "1", true)}}
	r := f.env.Must(http.StatusCreated, http.MethodPost, "/api/v1/returns", tok, body)
	var out returnOut
	r.JSON(t, &out)
	// The refund is a third of what was paid for the line (8.07 / 3 = 2.69), not the list price 2.99.
	if out.Total.Amount != 269 || out.Lines[0].Refund.Amount != 269 || len(out.Refunds) != 1 || out.Refunds[0].Tender != "card" {
		t.Fatalf("return %s", r.Body)
	}
	if r.Header.Get("ETag") == "" || out.Position == 0 {
		t.Fatalf("no ETag or position: %v %s", r.Header, r.Body)
	}
	// The same request again answers the same return and books nothing more.
	again := f.env.Must(http.StatusCreated, http.MethodPost, "/api/v1/returns", tok, body)
	var out2 returnOut
	again.JSON(t, &out2)
	if out2.Revision != out.Revision || out2.Total.Amount != 269 {
		t.Fatalf("retry: %s", again.Body)
	}
	f.env.Must(http.StatusOK, http.MethodGet, "/api/v1/returns/"+retID.String(), tok, nil)
	f.env.Must(http.StatusNotFound, http.MethodGet, "/api/v1/returns/"+uuid.NewString(), tok, nil)
	// Restocked through the sale-stock and return-stock policies: 10 − 3 + 1.
	f.waitOnHand("8")

	// Two more bread are left to return; three are refused.
	over := f.env.Do(http.MethodPost, "/api/v1/returns", tok, map[string]any{"id": uuid.New(), "sale_id": saleID, "shift_id": f.shiftID,
		"lines": []any{line(lineID, "3", false)}})
	if over.Status != http.StatusConflict || !contains(over.Body, "return_exceeds_sold") {
		t.Fatalf("over-return: %d %s", over.Status, over.Body)
	}
	// The rest refunds exactly what is left of the line: 8.07 − 2.69 = 5.38.
	rest := f.env.Must(http.StatusCreated, http.MethodPost, "/api/v1/returns", tok, map[string]any{"id": uuid.New(), "sale_id": saleID,
		"shift_id": f.shiftID, "lines": []any{line(lineID, "2", false)}})
	var restOut returnOut
	rest.JSON(t, &restOut)
	if restOut.Total.Amount != 538 {
		t.Fatalf("rest: %s", rest.Body)
	}
	f.waitOnHand("8") // not restocked
}

func TestConcurrentReturnsOfTheLastItemOneWins(t *testing.T) {
	f := newFixture(t, nil)
	saleID, lineID, _ := f.sell("1", 0, "card")
	const n = 6
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			statuses[i] = f.env.Do(http.MethodPost, "/api/v1/returns", f.env.AdminToken, map[string]any{"id": uuid.New(), "sale_id": saleID,
				"shift_id": f.shiftID, "lines": []any{line(lineID, "1", true)}}).Status
		})
	}
	wg.Wait()
	won := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			won++
		case http.StatusConflict:
		default:
			t.Fatalf("status %d in %v", s, statuses)
		}
	}
	if won != 1 {
		t.Fatalf("%d returns took the last item: %v", won, statuses)
	}
}

func TestNoReceiptReturnNeedsApproval(t *testing.T) {
	f := newFixture(t, nil)
	_, cashier := f.env.CreateUser("cashier1", []string{"cashier"}, []string{f.storeID.String()})
	mgrID, _ := f.env.CreateUser("manager1", []string{"manager"}, []string{f.storeID.String()})
	retID := uuid.New()
	body := map[string]any{"id": retID, "store_id": f.storeID, "shift_id": f.shiftID,
		"lines": []any{map[string]any{"product_id": f.bread, "quantity": 1, "restock": false, "reason": "gift"}}}
	r := f.env.Do(http.MethodPost, "/api/v1/returns", cashier, body)
	if r.Status != http.StatusUnprocessableEntity || !contains(r.Body, "approval_required") {
		t.Fatalf("without approval: %d %s", r.Status, r.Body)
	}
	token := f.env.Approval(cashier, "manager1", "user-password-1", "return.no_receipt", retID.String())
	r = f.env.Must(http.StatusCreated, http.MethodPost, "/api/v1/returns", cashier, body, "X-Approval-Token", token)
	var out returnOut
	r.JSON(t, &out)
	// Refunded at the current price in store credit, approved by the manager.
	if !out.NoReceipt || out.ApprovedBy != mgrID || out.Total.Amount != 299 || out.Refunds[0].Tender != "store_credit" {
		t.Fatalf("return %s", r.Body)
	}
}

func TestRefundOverTheCashierLimitNeedsApproval(t *testing.T) {
	f := newFixture(t, func(s *store.Settings) { s.CashierLimits.MaxRefund = 100 })
	_, cashier := f.env.CreateUser("cashier1", []string{"cashier"}, []string{f.storeID.String()})
	saleID, lineID, _ := f.sell("1", 0, "card")
	r := f.env.Do(http.MethodPost, "/api/v1/returns", cashier, map[string]any{"id": uuid.New(), "sale_id": saleID, "shift_id": f.shiftID,
		"lines": []any{line(lineID, "1", false)}})
	if r.Status != http.StatusUnprocessableEntity || !contains(r.Body, "return.over_limit") {
		t.Fatalf("over the limit: %d %s", r.Status, r.Body)
	}
}

func TestCashRefundNeedsAnOpenShift(t *testing.T) {
	f := newFixture(t, nil)
	saleID, lineID, total := f.sell("1", 0, "cash")
	f.closeShift(f.shiftID)
	refund := []any{map[string]any{"id": uuid.New(), "tender": "cash", "amount": total}}
	r := f.env.Do(http.MethodPost, "/api/v1/returns", f.env.AdminToken, map[string]any{"id": uuid.New(), "sale_id": saleID, "shift_id": f.shiftID,
		"lines": []any{line(lineID, "1", false)}, "refunds": refund})
	if r.Status != http.StatusConflict || !contains(r.Body, "shift_not_open") {
		t.Fatalf("closed shift: %d %s", r.Status, r.Body)
	}
	// In an open shift the cash leaves that shift's drawer.
	open := uuid.New()
	f.openShift(open)
	retID := uuid.New()
	f.env.Must(http.StatusCreated, http.MethodPost, "/api/v1/returns", f.env.AdminToken, map[string]any{"id": retID, "sale_id": saleID,
		"shift_id": open, "lines": []any{line(lineID, "1", false)}, "refunds": refund})
	f.assertCashRefunded(open, total.Amount)
}

func TestMalformedReturnsAreClientErrors(t *testing.T) {
	f := newFixture(t, nil)
	saleID, lineID, _ := f.sell("1", 0, "card")
	for name, body := range map[string]any{
		"not json":           "{",
		"unknown field":      map[string]any{"id": uuid.New(), "sale_id": saleID, "bogus": 1},
		"float id":           map[string]any{"id": 1.5, "sale_id": saleID},
		"bad uuid":           map[string]any{"id": "x", "sale_id": saleID, "lines": []any{line(lineID, "1", false)}},
		"too many decimals":  map[string]any{"id": uuid.New(), "sale_id": saleID, "lines": []any{map[string]any{"sale_line_id": lineID, "quantity": 0.0001}}},
		"quantity as object": map[string]any{"id": uuid.New(), "sale_id": saleID, "lines": []any{map[string]any{"sale_line_id": lineID, "quantity": map[string]any{}}}},
		"no lines":           map[string]any{"id": uuid.New(), "sale_id": saleID, "shift_id": f.shiftID},
		"unknown sale":       map[string]any{"id": uuid.New(), "sale_id": uuid.New(), "lines": []any{line(lineID, "1", false)}},
		"sale and store":     map[string]any{"id": uuid.New(), "sale_id": saleID, "store_id": f.storeID},
		"unknown line":       map[string]any{"id": uuid.New(), "sale_id": saleID, "shift_id": f.shiftID, "lines": []any{line(uuid.New(), "1", false)}},
		"huge amount":        map[string]any{"id": uuid.New(), "sale_id": saleID, "shift_id": f.shiftID, "lines": []any{line(lineID, "1", false)}, "refunds": []any{map[string]any{"id": uuid.New(), "tender": "cash", "amount": map[string]any{"amount": 1e30, "currency": "EUR"}}}},
		"negative quantity":  map[string]any{"id": uuid.New(), "sale_id": saleID, "shift_id": f.shiftID, "lines": []any{line(lineID, "-1", false)}},
		"array":              []any{},
	} {
		r := f.env.Do(http.MethodPost, "/api/v1/returns", f.env.AdminToken, body)
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
