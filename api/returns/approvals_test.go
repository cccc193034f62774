package returns_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
)

// approvalsFixture is a store whose cashiers may refund up to 5.00 alone, a cashier, and the
// store's manager who approves.
type approvalsFixture struct {
	*fixture
	cashier   string
	managerID string
}

func newApprovalsFixture(t *testing.T) *approvalsFixture {
	t.Helper()
	f := newFixture(t, func(s *store.Settings) { s.CashierLimits.MaxRefund = 500 })
	_, cashier := f.env.CreateUser("cashier1", []string{"cashier"}, []string{f.storeID.String()})
	mgrID, _ := f.env.CreateUser("manager1", []string{"manager"}, []string{f.storeID.String()})
	return &approvalsFixture{fixture: f, cashier: cashier, managerID: mgrID}
}

// approval is the manager's token for action, bound to no resource: a spent token is then
// refused only for being spent, so a second use shows whether the first spent it.
func (f *approvalsFixture) approval(action string) string {
	f.t.Helper()
	return f.env.Approval(f.cashier, "manager1", "user-password-1", action, "")
}

// noReceipt is the body of a return of qty bread without receipt.
func (f *approvalsFixture) noReceipt(id uuid.UUID, qty int) map[string]any {
	return map[string]any{"id": id, "store_id": f.storeID,
		"lines": []any{map[string]any{"product_id": f.bread, "quantity": qty, "restock": false, "reason": "gift"}}}
}

type approvedReturn struct {
	ApprovedBy string           `json:"approved_by"`
	Approvals  []rules.Approval `json:"approvals"`
}

// TestATokenAReturnDoesNotNeedIsNotSpent: a return within the cashier's limit sent with a
// return.over_limit token records no approval and leaves the token unspent; it then approves
// a return above the limit, once.
func TestATokenAReturnDoesNotNeedIsNotSpent(t *testing.T) {
	f := newApprovalsFixture(t)
	saleID, lineID, _ := f.sell("5", 0, "card")
	tok := f.approval(rules.ActionReturnOverLimit)
	ret := func(qty string) map[string]any {
		return map[string]any{"id": uuid.New(), "sale_id": saleID, "lines": []any{line(lineID, qty, false)}}
	}

	var small approvedReturn
	f.env.Must(http.StatusCreated, http.MethodPost, "/api/v1/returns", f.cashier, ret("1"), // 2.99
		"X-Approval-Token", rules.ActionReturnOverLimit+"="+tok).JSON(t, &small)
	if small.ApprovedBy != "" || len(small.Approvals) != 0 {
		t.Fatalf("a return within the limit recorded approvals: %+v", small)
	}

	var big approvedReturn
	f.env.Must(http.StatusCreated, http.MethodPost, "/api/v1/returns", f.cashier, ret("2"), // 5.98
		"X-Approval-Token", tok).JSON(t, &big)
	if big.ApprovedBy != f.managerID || !slices.Equal(big.Approvals, []rules.Approval{{ApproverID: f.managerID, Action: rules.ActionReturnOverLimit}}) {
		t.Fatalf("approved return %+v", big)
	}
	// Spent now: a third return above the limit is refused with it.
	apitest.WantProblem(t, f.env.Must(http.StatusForbidden, http.MethodPost, "/api/v1/returns", f.cashier, ret("2"),
		"X-Approval-Token", tok), "approval_invalid")
}

// TestANoReceiptReturnAboveTheLimitNeedsBothApprovals: two bread without receipt (5.98) need
// return.no_receipt and return.over_limit. With one token, or an unlabelled one, the answer
// names both and spends nothing; with both the return is recorded with each approver and the
// tokens are spent.
func TestANoReceiptReturnAboveTheLimitNeedsBothApprovals(t *testing.T) {
	f := newApprovalsFixture(t)
	id := uuid.New()
	body := f.noReceipt(id, 2)
	post := func(want int, tokens string) *apitest.Response {
		if tokens == "" {
			return f.env.Must(want, http.MethodPost, "/api/v1/returns", f.cashier, body)
		}
		return f.env.Must(want, http.MethodPost, "/api/v1/returns", f.cashier, body, "X-Approval-Token", tokens)
	}
	apitest.WantProblem(t, post(http.StatusUnprocessableEntity, ""), "approval_required", rules.ActionReturnNoReceipt, rules.ActionReturnOverLimit)

	nr, ol := f.approval(rules.ActionReturnNoReceipt), f.approval(rules.ActionReturnOverLimit)
	apitest.WantProblem(t, post(http.StatusUnprocessableEntity, rules.ActionReturnNoReceipt+"="+nr),
		"approval_required", rules.ActionReturnNoReceipt, rules.ActionReturnOverLimit)
	apitest.WantProblem(t, post(http.StatusUnprocessableEntity, rules.ActionReturnOverLimit+"="+ol),
		"approval_required", rules.ActionReturnNoReceipt, rules.ActionReturnOverLimit)
	// A bare token cannot tell which of the two it is for.
	apitest.WantProblem(t, post(http.StatusUnprocessableEntity, nr), "approval_required", "labelled")

	var out approvedReturn
	post(http.StatusCreated, rules.ActionReturnOverLimit+"="+ol+", "+rules.ActionReturnNoReceipt+"="+nr).JSON(t, &out)
	want := []rules.Approval{{ApproverID: f.managerID, Action: rules.ActionReturnNoReceipt}, {ApproverID: f.managerID, Action: rules.ActionReturnOverLimit}}
	if out.ApprovedBy != f.managerID || !slices.Equal(out.Approvals, want) {
		t.Fatalf("approved return %+v", out)
	}
	evs, err := f.env.Store.ReadStream(context.Background(), commands.ReturnStream(id), eventstore.Forwards, 0, 10)
	if err != nil || len(evs) != 1 || evs[0].Metadata.ApproverID != f.managerID || evs[0].Metadata.UserID == f.managerID {
		t.Fatalf("return stream %+v, %v", evs, err)
	}
	// The retried request replays the return: nothing is asked for or spent again.
	post(http.StatusCreated, rules.ActionReturnOverLimit+"="+ol+", "+rules.ActionReturnNoReceipt+"="+nr)
	// Both tokens are spent: another return needing both is refused with them.
	body = f.noReceipt(uuid.New(), 2)
	apitest.WantProblem(t, post(http.StatusForbidden, rules.ActionReturnOverLimit+"="+ol+", "+rules.ActionReturnNoReceipt+"="+nr), "approval_invalid")
}
