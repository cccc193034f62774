package sales_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/domain/sale"
)

func TestCartSaleWithCashAndChange(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	base := "/api/v1/sales/" + id.String()
	opened := w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(id, []map[string]any{line(w.bread, "2")}, nil, false))
	if v := w.sale(opened); v.Status != "open" || len(v.Lines) != 1 || opened.Header.Get("ETag") != `"1"` || v.Position == 0 {
		t.Fatalf("opened = %s (ETag %s)", opened.Body, opened.Header.Get("ETag"))
	}
	// Weighed goods take exact fractional quantities: 0.5 kg at 1.99 = 0.995 → 1.00 (half up).
	w.Must(http.StatusOK, "POST", base+"/lines", w.cashier, `{"id":"`+uuid.NewString()+`","product_id":"`+w.apples.String()+`","quantity":0.5}`)
	w.Must(http.StatusBadRequest, "POST", base+"/lines", w.cashier, `{"id":"`+uuid.NewString()+`","product_id":"`+w.apples.String()+`","quantity":0.0001}`)
	frac := w.Must(http.StatusUnprocessableEntity, "POST", base+"/lines", w.cashier, line(w.bread, "1.5"))
	if !strings.Contains(string(frac.Body), "fractional_quantity") {
		t.Fatalf("fractional bread = %s", frac.Body)
	}
	w.Must(http.StatusOK, "POST", base+"/payments", w.cashier, pay("cash", 1000))
	// Bread 2 × 2.99 = 5.98 (21 % tax inside: 1.04), apples 1.00 (9 %: 0.08): 6.98, paid 10.00.
	done := w.sale(w.Must(http.StatusOK, "POST", base+"/complete", w.cashier, nil))
	if done.Status != "completed" || done.ReceiptNumber != 1 || done.Lines[1].Quantity != "0.5" {
		t.Fatalf("completed sale = %+v", done)
	}
	checkTotals(t, done, 698, 0, 112, 698, 1000, 302)
	got := w.sale(w.Must(http.StatusOK, "GET", base, w.cashier, nil))
	if got.Revision != done.Revision || got.ReceiptNumber != 1 || got.Totals.Change.Amount != 302 {
		t.Fatalf("GET = %+v, complete answered %+v", got, done)
	}
	// A completed sale never changes; completing again answers the same sale.
	w.Must(http.StatusConflict, "POST", base+"/lines", w.cashier, line(w.bread, "1"))
	if again := w.sale(w.Must(http.StatusOK, "POST", base+"/complete", w.cashier, nil)); again.ReceiptNumber != 1 || again.Revision != done.Revision {
		t.Fatalf("second complete = %+v", again)
	}
	// Auditors read; analysts and cashiers of another store do not touch it.
	w.Must(http.StatusForbidden, "GET", base, w.cashierB, nil)
	w.Must(http.StatusNotFound, "GET", "/api/v1/sales/"+uuid.NewString(), w.cashier, nil)
}

func TestOneShotCardSale(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	lines := []map[string]any{line(w.wine, "1"), line(w.bread, "3"), line(w.apples, "1.25")}
	// 10.00 + 8.97 + 1.25 kg × 1.99 = 2.4875 → 2.49: 21.46; tax 1.74 + 1.56 + 0.21 = 3.51.
	v := w.sale(w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(id, lines, []map[string]any{pay("card", 2146)}, true)))
	if v.Status != "completed" || v.ReceiptNumber != 1 || len(v.Lines) != 3 {
		t.Fatalf("one-shot sale = %+v", v)
	}
	checkTotals(t, v, 2146, 0, 351, 2146, 2146, 0)
	// Change comes only from cash: a card above the total is refused, the sale not recorded.
	over := uuid.New()
	w.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/sales", w.cashier, w.saleBody(over, []map[string]any{line(w.bread, "1")}, []map[string]any{pay("card", 300)}, true))
	w.Must(http.StatusNotFound, "GET", "/api/v1/sales/"+over.String(), w.cashier, nil)
	// An unpaid one-shot sale is refused as a whole: nothing recorded, no receipt number used.
	unpaid := uuid.New()
	if r := w.Must(http.StatusConflict, "POST", "/api/v1/sales", w.cashier, w.saleBody(unpaid, []map[string]any{line(w.bread, "1")}, nil, true)); !strings.Contains(string(r.Body), "not_fully_paid") {
		t.Fatalf("unpaid one-shot = %s", r.Body)
	}
	w.Must(http.StatusNotFound, "GET", "/api/v1/sales/"+unpaid.String(), w.cashier, nil)
	next := w.sale(w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(uuid.New(), []map[string]any{line(w.bread, "1")}, []map[string]any{pay("card", 299)}, true)))
	if next.ReceiptNumber != 2 {
		t.Fatalf("next receipt = %d, want 2 (no gap)", next.ReceiptNumber)
	}
	// Field errors name the line.
	bad := w.Must(http.StatusBadRequest, "POST", "/api/v1/sales", w.cashier, w.saleBody(uuid.New(), []map[string]any{{"id": uuid.New(), "product_id": "x", "quantity": 1}}, nil, false))
	if !strings.Contains(string(bad.Body), `"lines[0].product_id"`) {
		t.Fatalf("bad line = %s", bad.Body)
	}
	zero := w.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/sales", w.cashier, w.saleBody(uuid.New(), []map[string]any{line(w.bread, "0")}, nil, false))
	if !strings.Contains(string(zero.Body), `"lines[0].quantity"`) {
		t.Fatalf("zero quantity = %s", zero.Body)
	}
}

func TestSplitTender(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	// 12.99: 5.00 on card, 10.00 cash → change 2.01, from the cash.
	v := w.sale(w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(id,
		[]map[string]any{line(w.wine, "1"), line(w.bread, "1")}, []map[string]any{pay("card", 500), pay("cash", 1000)}, true)))
	if v.Status != "completed" || len(v.Payments) != 2 {
		t.Fatalf("split sale = %+v", v)
	}
	checkTotals(t, v, 1299, 0, 226, 1299, 1500, 201)
	rep := w.Must(http.StatusOK, "GET", "/api/v1/shifts/"+w.shiftA.String()+"/report", w.cashier, nil).Map(t)
	if cash := rep["cash_sales"].(map[string]any)["amount"]; cash != float64(799) {
		t.Fatalf("cash sales on the shift = %v, want 7.99 (10.00 − 2.01 change)", cash)
	}
}

func TestDiscountsBeyondTheLimitNeedAnApproval(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	base := "/api/v1/sales/" + id.String()
	w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(id, []map[string]any{line(w.bread, "2")}, nil, false))
	// Within the cashier's 10 %: fine alone.
	w.Must(http.StatusOK, "POST", base+"/discounts", w.cashier, map[string]any{"percent_bp": 1000})
	need := w.Must(http.StatusUnprocessableEntity, "POST", base+"/discounts", w.cashier, map[string]any{"percent_bp": 2000})
	if !strings.Contains(string(need.Body), `"code":"approval_required"`) || !strings.Contains(string(need.Body), "sale.discount") {
		t.Fatalf("beyond the limit = %s", need.Body)
	}
	// A token for another action is refused (and spent).
	wrong := w.approval("sale.void", id)
	w.Must(http.StatusForbidden, "POST", base+"/discounts", w.cashier, map[string]any{"percent_bp": 2000}, "X-Approval-Token", wrong)
	token := w.approval("sale.discount", id)
	v := w.sale(w.Must(http.StatusOK, "POST", base+"/discounts", w.cashier, map[string]any{"percent_bp": 2000}, "X-Approval-Token", token))
	checkTotals(t, v, 598, 120, 83, 478, 0, 0)
	// The token is single-use.
	w.Must(http.StatusForbidden, "POST", base+"/discounts", w.cashier, map[string]any{"percent_bp": 3000}, "X-Approval-Token", token)
	// The event records the cashier and the approving manager.
	decoded, meta := w.lastEvent(id)
	if d, ok := decoded.(sale.DiscountApplied); !ok || d.ApprovedBy != w.managerID || meta.ApproverID != w.managerID || meta.UserID != w.cashierID {
		t.Fatalf("last event %+v meta %+v", decoded, meta)
	}
	// A line discount beyond the limit when the line is added, and a price override, likewise.
	over := line(w.wine, "1")
	over["discount"] = map[string]any{"amount": map[string]any{"amount": 300, "currency": "EUR"}}
	w.Must(http.StatusUnprocessableEntity, "POST", base+"/lines", w.cashier, over)
	w.Must(http.StatusOK, "POST", base+"/lines", w.cashier, over, "X-Approval-Token", w.approval("sale.discount", id))
	cheap := line(w.wine, "1")
	cheap["unit_price"] = map[string]any{"amount": 500, "currency": "EUR"}
	w.Must(http.StatusUnprocessableEntity, "POST", base+"/lines", w.cashier, cheap)
	w.Must(http.StatusOK, "POST", base+"/lines", w.cashier, cheap, "X-Approval-Token", w.approval("sale.price_override", id))
	// Managers have no limit.
	w.Must(http.StatusOK, "POST", base+"/discounts", w.mgr, map[string]any{"percent_bp": 5000})
}

func TestVoidAfterPaymentNeedsAnApproval(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	base := "/api/v1/sales/" + id.String()
	first := line(w.bread, "1")
	w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(id, []map[string]any{first, line(w.wine, "1")}, []map[string]any{pay("cash", 500)}, false))
	w.Must(http.StatusUnprocessableEntity, "DELETE", base+"/lines/"+first["id"].(uuid.UUID).String(), w.cashier, nil)
	w.Must(http.StatusOK, "DELETE", base+"/lines/"+first["id"].(uuid.UUID).String(), w.cashier, nil, "X-Approval-Token", w.approval("sale.void", id))
	w.Must(http.StatusUnprocessableEntity, "POST", base+"/void", w.cashier, map[string]any{"reason": ""}, "X-Approval-Token", "")
	need := w.Must(http.StatusUnprocessableEntity, "POST", base+"/void", w.cashier, map[string]any{"reason": "customer left"})
	if !strings.Contains(string(need.Body), "sale.void") {
		t.Fatalf("void = %s", need.Body)
	}
	v := w.sale(w.Must(http.StatusOK, "POST", base+"/void", w.cashier, map[string]any{"reason": "customer left"}, "X-Approval-Token", w.approval("sale.void", id)))
	if v.Status != "voided" {
		t.Fatalf("voided = %+v", v)
	}
	w.Must(http.StatusConflict, "POST", base+"/payments", w.cashier, pay("cash", 100))
	// A sale without payments is voided without approval.
	other := uuid.New()
	w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(other, []map[string]any{line(w.bread, "1")}, nil, false))
	w.Must(http.StatusOK, "POST", "/api/v1/sales/"+other.String()+"/void", w.cashier, map[string]any{"reason": "mistake"})
}

func TestIfMatchAndIdempotentRetries(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	base := "/api/v1/sales/" + id.String()
	body := w.saleBody(id, []map[string]any{line(w.wine, "1")}, nil, false)
	created := w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, body)
	// The same create again (a lost response) answers the same sale and writes nothing.
	again := w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, body)
	if again.Header.Get("ETag") != created.Header.Get("ETag") {
		t.Fatalf("retried create moved the sale: %s → %s", created.Header.Get("ETag"), again.Header.Get("ETag"))
	}
	etag := created.Header.Get("ETag")
	p := pay("card", 400)
	w.Must(http.StatusPreconditionFailed, "POST", base+"/payments", w.cashier, p, "If-Match", `"7"`)
	paid := w.Must(http.StatusOK, "POST", base+"/payments", w.cashier, p, "If-Match", etag)
	// Same payment id twice → one payment, even without Idempotency-Key and after If-Match moved on.
	w.Must(http.StatusOK, "POST", base+"/payments", w.cashier, p)
	if v := w.sale(w.Must(http.StatusOK, "GET", base, w.cashier, nil)); len(v.Payments) != 1 || v.Totals.Paid.Amount != 400 || v.Revision != w.sale(paid).Revision {
		t.Fatalf("after the retry = %+v", v)
	}
	// The same payment id with another amount is a conflict.
	p["amount"] = map[string]any{"amount": 300, "currency": "EUR"}
	reused := w.Must(http.StatusConflict, "POST", base+"/payments", w.cashier, p)
	if !strings.Contains(string(reused.Body), "id_reused") {
		t.Fatalf("reused payment id = %s", reused.Body)
	}
	// Idempotency-Key replays the first response; another body with the key is refused.
	q := pay("card", 100)
	first := w.Must(http.StatusOK, "POST", base+"/payments", w.cashier, q, "Idempotency-Key", "k-1")
	replay := w.Must(http.StatusOK, "POST", base+"/payments", w.cashier, q, "Idempotency-Key", "k-1")
	if string(first.Body) != string(replay.Body) {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, replay.Body)
	}
	w.Must(http.StatusUnprocessableEntity, "POST", base+"/payments", w.cashier, pay("card", 100), "Idempotency-Key", "k-1")
	// Store scoping: a cashier of store B can neither sell in store A nor touch its sales.
	w.Must(http.StatusForbidden, "POST", base+"/payments", w.cashierB, pay("card", 100))
	w.Must(http.StatusForbidden, "POST", "/api/v1/sales", w.cashierB, w.saleBody(uuid.New(), []map[string]any{line(w.wine, "1")}, nil, false))
	// A register of another store, or a shift of another register, is refused.
	foreign := w.saleBody(uuid.New(), []map[string]any{line(w.wine, "1")}, nil, false)
	foreign["register_id"] = w.regB
	w.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/sales", w.cashier, foreign)
	foreign["register_id"] = w.regA2
	w.Must(http.StatusConflict, "POST", "/api/v1/sales", w.cashier, foreign)
}

// TestASaleIDSentAgainWithOtherContentIsAConflict (issue 11 item 6): POST /sales with the ID of
// an existing sale and another body answers 409 id_reused and changes nothing, for a cart and
// a one-shot sale; the same body again still replays the original answer.
func TestASaleIDSentAgainWithOtherContentIsAConflict(t *testing.T) {
	w := newWorld(t)
	for _, complete := range []bool{false, true} {
		id := uuid.New()
		body := w.saleBody(id, []map[string]any{line(w.wine, "1")}, []map[string]any{pay("card", 1000)}, complete)
		created := w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, body)
		other := w.saleBody(id, []map[string]any{line(w.wine, "1"), line(w.bread, "2")}, []map[string]any{pay("card", 1000)}, complete)
		apitest.WantProblem(t, w.Must(http.StatusConflict, "POST", "/api/v1/sales", w.cashier, other), "id_reused", id.String())
		again := w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, body)
		if string(again.Body) != string(created.Body) || again.Header.Get("ETag") != created.Header.Get("ETag") {
			t.Fatalf("complete %v: the same body again answered\n%s\nnot\n%s", complete, again.Body, created.Body)
		}
		if v := w.sale(w.Must(http.StatusOK, "GET", "/api/v1/sales/"+id.String(), w.cashier, nil)); len(v.Lines) != 1 || v.Revision != w.sale(created).Revision {
			t.Fatalf("complete %v: the conflicting body changed the sale: %+v", complete, v)
		}
	}
}
