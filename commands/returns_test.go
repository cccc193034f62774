package commands_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/eventstore"
)

// TestANoReceiptReturnAboveTheLimitNeedsTwoApprovals: 17 bread without receipt (50.83 plus
// 21 % tax, 61.50) are above the cashier's refund limit (50.00): the return needs
// return.no_receipt and return.over_limit, names the ones missing, and records each approver.
func TestANoReceiptReturnAboveTheLimitNeedsTwoApprovals(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	rt := commands.NewReturns(w.h, time.Now, nil)
	req := commands.ReturnRequest{ReturnID: uuid.New(), StoreID: w.st,
		ProductLines: []commands.ReturnProductLine{{ProductID: w.bread, Quantity: quantity.FromInt(17), Reason: "gift"}}}
	cmd := commands.Context{ID: commands.ReturnCommandID(req.ReturnID), UserID: "u"}
	noReceipt := rules.Approval{ApproverID: "m1", Action: rules.ActionReturnNoReceipt}
	overLimit := rules.Approval{ApproverID: "m2", Action: rules.ActionReturnOverLimit}
	for _, tc := range []struct {
		given rules.Approvals
		needs []string
	}{
		{nil, []string{rules.ActionReturnNoReceipt, rules.ActionReturnOverLimit}},
		{rules.ApprovalsOf(noReceipt), []string{rules.ActionReturnOverLimit}},
		{rules.ApprovalsOf(overLimit), []string{rules.ActionReturnNoReceipt}},
	} {
		req.Approvals = tc.given
		if _, _, err := rt.Create(ctx, cmd, req); !reflect.DeepEqual(rules.RequiredApprovals(err), tc.needs) {
			t.Fatalf("given %v: %v, want approvals %v", tc.given, err, tc.needs)
		}
	}
	req.Approvals = rules.ApprovalsOf(overLimit, noReceipt)
	_, rec, err := rt.Create(ctx, cmd, req)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Total.Amount != 6150 || rec.ApprovedBy != "m1,m2" || !reflect.DeepEqual(rec.Approvals, []rules.Approval{noReceipt, overLimit}) {
		t.Fatalf("return %+v", rec)
	}
	evs, err := w.store.ReadStream(ctx, commands.ReturnStream(req.ReturnID), eventstore.Forwards, 0, 10)
	if err != nil || len(evs) != 1 || evs[0].Metadata.ApproverID != "m1,m2" {
		t.Fatalf("return stream %+v, %v", evs, err)
	}
}
