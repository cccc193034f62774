package auth_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/auth"
)

func TestApprovals(t *testing.T) {
	rdb, prefix := testRedis(t)
	for name, f := range map[string]*fixture{
		"redis":      newFixture(t, rdb, prefix),
		"dead redis": newFixture(t, deadRedis(t), prefix),
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			issue := func(action auth.Action, resource string) string {
				t.Helper()
				tok, err := f.approvals.Issue(ctx, grantOf(action, resource, "manager-1"))
				if err != nil {
					t.Fatal(err)
				}
				return tok
			}
			tok := issue(auth.ActionSaleVoid, "sale-1")
			if id, err := f.approvals.Consume(ctx, tok, useOf(auth.ActionSaleVoid, "sale-1")); err != nil || id != "manager-1" {
				t.Fatalf("consume = %q, %v", id, err)
			}
			if _, err := f.approvals.Consume(ctx, tok, useOf(auth.ActionSaleVoid, "sale-1")); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("second use: %v", err)
			}

			tok = issue(auth.ActionSaleDiscount, "sale-1")
			if _, err := f.approvals.Consume(ctx, tok, useOf(auth.ActionSaleVoid, "sale-1")); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("other action: %v", err)
			}
			if _, err := f.approvals.Consume(ctx, tok, useOf(auth.ActionSaleDiscount, "sale-1")); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("a mismatched attempt must spend the token: %v", err)
			}

			tok = issue(auth.ActionSaleVoid, "sale-1")
			if _, err := f.approvals.Consume(ctx, tok, useOf(auth.ActionSaleVoid, "sale-2")); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("other resource: %v", err)
			}

			tok = issue(auth.ActionShiftCloseOverShort, "")
			if id, err := f.approvals.Consume(ctx, tok, useOf(auth.ActionShiftCloseOverShort, "shift-9")); err != nil || id != "manager-1" {
				t.Errorf("unbound resource: %q, %v", id, err)
			}

			tok = issue(auth.ActionReturnNoReceipt, "")
			f.clock.Advance(2*time.Minute + time.Second)
			if _, err := f.approvals.Consume(ctx, tok, useOf(auth.ActionReturnNoReceipt, "")); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("expired: %v", err)
			}

			if _, err := f.approvals.Issue(ctx, grantOf("sale.anything", "", "m")); !errors.Is(err, auth.ErrUnknownAction) {
				t.Errorf("unknown action: %v", err)
			}
			if _, err := f.approvals.Consume(ctx, "", useOf(auth.ActionSaleVoid, "")); !errors.Is(err, auth.ErrApprovalRequired) {
				t.Errorf("no token: %v", err)
			}
			if _, err := f.approvals.Consume(ctx, "apv_forged", useOf(auth.ActionSaleVoid, "")); !errors.Is(err, auth.ErrApprovalInvalid) &&
				!errors.Is(err, auth.ErrUnavailable) {
				t.Errorf("forged token: %v", err)
			}
		})
	}
}

func TestApprovalSingleUseUnderConcurrency(t *testing.T) {
	rdb, prefix := testRedis(t)
	f := newFixture(t, rdb, prefix)
	tok, err := f.approvals.Issue(t.Context(), grantOf(auth.ActionSalePriceOverride, "sale-7", "manager-1"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 20 {
		wg.Go(func() {
			if _, err := f.approvals.Consume(t.Context(), tok, useOf(auth.ActionSalePriceOverride, "sale-7")); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d consumers succeeded, want exactly 1", wins)
	}
}

func TestApprovalIssuedInRedisNeedsRedis(t *testing.T) {
	rdb, prefix := testRedis(t)
	live := newFixture(t, rdb, prefix)
	tok, err := live.approvals.Issue(t.Context(), grantOf(auth.ActionSaleVoid, "", "manager-1"))
	if err != nil {
		t.Fatal(err)
	}
	down := newFixture(t, deadRedis(t), prefix)
	if _, err := down.approvals.Consume(t.Context(), tok, useOf(auth.ActionSaleVoid, "")); !errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("consume while redis is down: %v, want ErrUnavailable", err)
	}
	if id, err := live.approvals.Consume(t.Context(), tok, useOf(auth.ActionSaleVoid, "")); err != nil || id != "manager-1" {
		t.Errorf("after redis is back: %q, %v", id, err)
	}
}

// TestApprovalsBoundToSessionAndStore: a token is spent only by the session that asked for it,
// in a store its approver manages (an admin's in any store); a mismatch spends it.
func TestApprovalsBoundToSessionAndStore(t *testing.T) {
	rdb, prefix := testRedis(t)
	for name, f := range map[string]*fixture{
		"redis":      newFixture(t, rdb, prefix),
		"dead redis": newFixture(t, deadRedis(t), prefix),
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			issue := func(g auth.Grant) string {
				t.Helper()
				tok, err := f.approvals.Issue(ctx, g)
				if err != nil {
					t.Fatal(err)
				}
				return tok
			}
			managerB := auth.Grant{Action: auth.ActionSaleDiscount, ApproverID: "manager-b", StoreIDs: []string{"store-b"}, SessionID: "sid-1"}
			tok := issue(managerB)
			if _, err := f.approvals.Consume(ctx, tok, useOf(auth.ActionSaleDiscount, "sale-1")); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("store B's manager approving in store A: %v", err)
			}
			if _, err := f.approvals.Consume(ctx, tok, auth.Use{Action: auth.ActionSaleDiscount, StoreID: "store-b", SessionID: "sid-1"}); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("the refused token was not spent: %v", err)
			}
			tok = issue(grantOf(auth.ActionSaleDiscount, "", "manager-a"))
			other := useOf(auth.ActionSaleDiscount, "sale-1")
			other.SessionID = "sid-2"
			if _, err := f.approvals.Consume(ctx, tok, other); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("another session: %v", err)
			}
			admin := auth.Grant{Action: auth.ActionSaleDiscount, ApproverID: "admin", AllStores: true, SessionID: "sid-1"}
			if id, err := f.approvals.Consume(ctx, issue(admin), useOf(auth.ActionSaleDiscount, "sale-1")); err != nil || id != "admin" {
				t.Errorf("an admin's approval in any store: %q, %v", id, err)
			}
			if id, err := f.approvals.Consume(ctx, issue(grantOf(auth.ActionSaleDiscount, "", "manager-a")), useOf(auth.ActionSaleDiscount, "sale-1")); err != nil || id != "manager-a" {
				t.Errorf("the right session in the approver's store: %q, %v", id, err)
			}
		})
	}
}
