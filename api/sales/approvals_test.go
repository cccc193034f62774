package sales_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
)

// lastEvent returns the last event of a sale's stream, decoded, and its metadata.
func (w *world) lastEvent(id uuid.UUID) (any, eventstore.Metadata) {
	w.t.Helper()
	evs, err := w.Store.ReadStream(context.Background(), commands.SaleStream(id), eventstore.Forwards, 0, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	last := evs[len(evs)-1]
	decoded, err := w.API.Codec.Decode(last.Type, last.Data)
	if err != nil {
		w.t.Fatal(err)
	}
	return decoded, last.Metadata
}

// TestALineWithTwoApprovals: a line with a price override and a discount beyond the cashier's
// limit needs two approvals; they come as two tokens, each labelled with its action. Without
// both, the answer names both and spends nothing; each token is single-use; a token for an
// action the command does not need is not spent.
func TestALineWithTwoApprovals(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	base := "/api/v1/sales/" + id.String()
	w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(id, []map[string]any{line(w.bread, "1")}, nil, false))
	both := func() map[string]any {
		l := line(w.wine, "1")
		l["unit_price"] = map[string]any{"amount": 500, "currency": "EUR"}
		l["discount"] = map[string]any{"percent_bp": 2000}
		return l
	}
	l := both()
	need := w.Must(http.StatusUnprocessableEntity, "POST", base+"/lines", w.cashier, l)
	apitest.WantProblem(t, need, "approval_required", "sale.price_override", "sale.discount")

	override, discount := w.approval("sale.price_override", id), w.approval("sale.discount", id)
	// One of the two: refused, naming both, and the token is not spent.
	apitest.WantProblem(t, w.Must(http.StatusUnprocessableEntity, "POST", base+"/lines", w.cashier, l,
		"X-Approval-Token", "sale.price_override="+override), "approval_required", "sale.discount")
	// A bare token cannot tell which of the two it is for: refused, nothing spent.
	apitest.WantProblem(t, w.Must(http.StatusUnprocessableEntity, "POST", base+"/lines", w.cashier, l,
		"X-Approval-Token", override), "approval_required", "labelled")
	// A malformed header is a 400.
	apitest.WantProblem(t, w.Must(http.StatusBadRequest, "POST", base+"/lines", w.cashier, l,
		"X-Approval-Token", "sale.refund="+override), "invalid_approval_tokens")

	v := w.sale(w.Must(http.StatusOK, "POST", base+"/lines", w.cashier, l,
		"X-Approval-Token", "sale.price_override="+override+", sale.discount="+discount))
	if got := v.Lines[1]; got.UnitPrice.Amount != 500 || got.Discount.Amount != 100 || got.Total.Amount != 400 {
		t.Fatalf("line %+v", got)
	}
	ev, meta := w.lastEvent(id)
	if a, ok := ev.(sale.LineAdded); !ok || a.PriceOverrideBy != w.managerID || a.DiscountApprovedBy != w.managerID ||
		meta.ApproverID != w.managerID || meta.UserID != w.cashierID {
		t.Fatalf("event %+v, metadata %+v", ev, meta)
	}
	// Each token is single-use.
	apitest.WantProblem(t, w.Must(http.StatusForbidden, "POST", base+"/lines", w.cashier, both(),
		"X-Approval-Token", "sale.price_override="+override+", sale.discount="+discount), "approval_invalid")

	// A token for an action the command does not need is not spent: the void token sent with a
	// plain payment still voids a line afterwards.
	void := w.approval("sale.void", id)
	w.Must(http.StatusOK, "POST", base+"/payments", w.cashier, pay("card", 100), "X-Approval-Token", "sale.void="+void)
	w.Must(http.StatusOK, "DELETE", base+"/lines/"+v.Lines[1].ID, w.cashier, nil, "X-Approval-Token", "sale.void="+void)
}

// TestAOneShotSaleWithTwoApprovals: POST /sales with an overridden price and a sale discount
// beyond the limit; a mislabelled token is refused (and spent), the other one is not.
func TestAOneShotSaleWithTwoApprovals(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	l := line(w.wine, "2")
	l["unit_price"] = map[string]any{"amount": 800, "currency": "EUR"}
	b := w.saleBody(id, []map[string]any{l}, nil, false)
	b["discount"] = map[string]any{"percent_bp": 2500}
	apitest.WantProblem(t, w.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/sales", w.cashier, b),
		"approval_required", "sale.price_override", "sale.discount")
	override, discount := w.approval("sale.price_override", id), w.approval("sale.discount", id)
	apitest.WantProblem(t, w.Must(http.StatusForbidden, "POST", "/api/v1/sales", w.cashier, b,
		"X-Approval-Token", "sale.price_override="+discount+",sale.discount="+override), "approval_invalid")
	// The override token was never spent (the mislabelled discount token was, and is gone).
	again := w.approval("sale.discount", id)
	v := w.sale(w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, b,
		"X-Approval-Token", "sale.discount="+again+", sale.price_override="+override))
	checkTotals(t, v, 1600, 400, 208, 1200, 0, 0)
}
