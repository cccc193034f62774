package shifts_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
)

// TestACloseSpendsItsTokenOnlyWhenOverOrShort: a close within the tolerance sent with a
// shift.close_over_short token records no approver and leaves the token unspent; it then
// approves a close beyond the tolerance, once.
func TestACloseSpendsItsTokenOnlyWhenOverOrShort(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	h := e.API.Commands
	st := salestest.NewStore(t, h, "A", salestest.Settings(true)) // cash tolerance 5.00
	reg := salestest.NewRegister(t, h, st, "R1")
	cashier := salestest.Token(t, e.API, "carla", authz.RoleCashier, st.String())
	managerID, _ := e.CreateUser("maria", []string{"manager"}, []string{st.String()})
	// Bound to no shift, so that a second use is refused only for the token being spent.
	token := e.Approval(cashier, "maria", "user-password-1", "shift.close_over_short", "")
	// closeWith opens a shift with a float of 100.00 and closes it with counted, sending the token.
	closeWith := func(want int, counted int64) *apitest.Response {
		id := uuid.New()
		e.Must(http.StatusCreated, "POST", "/api/v1/shifts", cashier, map[string]any{"id": id, "register_id": reg, "opening_float": salestest.EUR(10000)})
		return e.Must(want, "POST", "/api/v1/shifts/"+id.String()+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(counted)},
			"X-Approval-Token", "shift.close_over_short="+token)
	}
	var within, over report
	closeWith(http.StatusOK, 10300).JSON(t, &within) // 3.00 over: within the tolerance
	if within.Status != "closed" || within.ApprovedBy != "" {
		t.Fatalf("close within the tolerance = %+v", within)
	}
	closeWith(http.StatusOK, 11000).JSON(t, &over) // 10.00 over: the token approves it
	if over.Status != "closed" || over.OverShort.Amount != 1000 || over.ApprovedBy != managerID {
		t.Fatalf("close beyond the tolerance = %+v", over)
	}
	if r := closeWith(http.StatusForbidden, 11000); !strings.Contains(string(r.Body), "approval_invalid") {
		t.Fatalf("a spent token = %s", r.Body)
	}
}
