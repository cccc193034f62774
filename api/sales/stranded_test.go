package sales_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/sale"
)

// TestAStrandedSaleIsVoided: a sale locked in checkout whose shift closed before completion
// recorded its cash can neither complete nor wait forever: it is voided with a reason and,
// being paid, a manager's sale.void approval.
func TestAStrandedSaleIsVoided(t *testing.T) {
	w := newWorld(t)
	id := uuid.New()
	base := "/api/v1/sales/" + id.String()
	w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, w.saleBody(id, []map[string]any{line(w.bread, "1")}, []map[string]any{pay("cash", 500)}, false))
	// Completion's first step locks the sale; then the process dies before the shift step.
	lock := commands.Context{ID: "sale.checkout:" + id.String(), UserID: w.cashierID}
	if _, err := commands.Execute(context.Background(), w.API.Commands, commands.SaleStream(id), commands.SaleAggregate, lock,
		func(s sale.State) ([]sale.Event, error) {
			return sale.Decide(s, sale.StartCheckout{Shift: sale.ShiftInfo{ID: w.shiftA, RegisterID: w.regA}}, s.OpenedAt)
		}); err != nil {
		t.Fatal(err)
	}
	apitest.WantProblem(t, w.Must(http.StatusConflict, "POST", base+"/void", w.cashier, map[string]any{"reason": "stuck"}),
		"sale_in_checkout", "complete it")
	// The shift closes without the sale's cash.
	w.Must(http.StatusOK, "POST", "/api/v1/shifts/"+w.shiftA.String()+"/close", w.cashier, map[string]any{"counted_cash": map[string]any{"amount": 10000, "currency": "EUR"}})
	apitest.WantProblem(t, w.Must(http.StatusConflict, "POST", base+"/complete", w.cashier, nil), "shift_not_open")
	apitest.WantProblem(t, w.Must(http.StatusUnprocessableEntity, "POST", base+"/void", w.cashier, map[string]any{"reason": "shift closed"}),
		"approval_required", "sale.void")
	v := w.sale(w.Must(http.StatusOK, "POST", base+"/void", w.cashier, map[string]any{"reason": "shift closed"},
		"X-Approval-Token", w.approval("sale.void", id)))
	if v.Status != "voided" {
		t.Fatalf("sale %+v", v)
	}
	if ev, meta := w.lastEvent(id); !ev.(sale.SaleVoided).InCheckout || meta.ApproverID != w.managerID {
		t.Fatalf("event %+v, metadata %+v", ev, meta)
	}
}
