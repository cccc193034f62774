package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
)

// TestApprovalsAreBoundToStoreAndSession: a manager's approval token is spent only on a
// command in a store that manager manages, and only by the session that asked for it.
func TestApprovalsAreBoundToStoreAndSession(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	h := e.API.Commands
	storeA := salestest.NewStore(t, h, "A", salestest.Settings(true)) // cash tolerance 5.00
	storeB := salestest.NewStore(t, h, "B", salestest.Settings(true))
	reg := salestest.NewRegister(t, h, storeA, "R1")
	// A cashier of both stores, so that store B's manager may hand them a token at all.
	cashier := salestest.Token(t, e.API, "carla", authz.RoleCashier, storeA.String(), storeB.String())
	otherSession := salestest.Token(t, e.API, "carla", authz.RoleCashier, storeA.String(), storeB.String())
	managerA, _ := e.CreateUser("maria", []string{"manager"}, []string{storeA.String()})
	e.CreateUser("bruno", []string{"manager"}, []string{storeB.String()})

	shift := uuid.New()
	e.Must(http.StatusCreated, "POST", "/api/v1/shifts", cashier, map[string]any{"id": shift, "register_id": reg, "opening_float": salestest.EUR(10000)})
	closeOver := func(want int, token, approval string) *apitest.Response { // 10.00 over: beyond the tolerance
		return e.Must(want, "POST", "/api/v1/shifts/"+shift.String()+"/close", token, map[string]any{"counted_cash": salestest.EUR(11000)},
			"X-Approval-Token", "shift.close_over_short="+approval)
	}

	fromB := e.Approval(cashier, "bruno", "user-password-1", "shift.close_over_short", "")
	if r := closeOver(http.StatusForbidden, cashier, fromB); !strings.Contains(string(r.Body), "approval_invalid") {
		t.Fatalf("store B's manager approving a store A close: %s", r.Body)
	}
	fromA := e.Approval(cashier, "maria", "user-password-1", "shift.close_over_short", "")
	if r := closeOver(http.StatusForbidden, otherSession, fromA); !strings.Contains(string(r.Body), "approval_invalid") {
		t.Fatalf("a token spent by another session: %s", r.Body)
	}
	fromA = e.Approval(cashier, "maria", "user-password-1", "shift.close_over_short", "")
	var closed struct {
		Status     string `json:"status"`
		ApprovedBy string `json:"approved_by"`
	}
	closeOver(http.StatusOK, cashier, fromA).JSON(t, &closed)
	if closed.Status != "closed" || closed.ApprovedBy != managerA {
		t.Fatalf("close approved by store A's manager in the asking session = %+v", closed)
	}
}
