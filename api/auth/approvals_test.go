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
				tok, err := f.approvals.Issue(ctx, action, resource, "manager-1")
				if err != nil {
					t.Fatal(err)
				}
				return tok
			}
			tok := issue(auth.ActionSaleVoid, "sale-1")
			if id, err := f.approvals.Consume(ctx, tok, auth.ActionSaleVoid, "sale-1"); err != nil || id != "manager-1" {
				t.Fatalf("consume = %q, %v", id, err)
			}
			if _, err := f.approvals.Consume(ctx, tok, auth.ActionSaleVoid, "sale-1"); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("second use: %v", err)
			}

			tok = issue(auth.ActionSaleDiscount, "sale-1")
			if _, err := f.approvals.Consume(ctx, tok, auth.ActionSaleVoid, "sale-1"); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("other action: %v", err)
			}
			if _, err := f.approvals.Consume(ctx, tok, auth.ActionSaleDiscount, "sale-1"); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("a mismatched attempt must spend the token: %v", err)
			}

			tok = issue(auth.ActionSaleVoid, "sale-1")
			if _, err := f.approvals.Consume(ctx, tok, auth.ActionSaleVoid, "sale-2"); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("other resource: %v", err)
			}

			tok = issue(auth.ActionShiftCloseOverShort, "")
			if id, err := f.approvals.Consume(ctx, tok, auth.ActionShiftCloseOverShort, "shift-9"); err != nil || id != "manager-1" {
				t.Errorf("unbound resource: %q, %v", id, err)
			}

			tok = issue(auth.ActionReturnNoReceipt, "")
			f.clock.Advance(2*time.Minute + time.Second)
			if _, err := f.approvals.Consume(ctx, tok, auth.ActionReturnNoReceipt, ""); !errors.Is(err, auth.ErrApprovalInvalid) {
				t.Errorf("expired: %v", err)
			}

			if _, err := f.approvals.Issue(ctx, "sale.anything", "", "m"); !errors.Is(err, auth.ErrUnknownAction) {
				t.Errorf("unknown action: %v", err)
			}
			if _, err := f.approvals.Consume(ctx, "", auth.ActionSaleVoid, ""); !errors.Is(err, auth.ErrApprovalRequired) {
				t.Errorf("no token: %v", err)
			}
			if _, err := f.approvals.Consume(ctx, "apv_forged", auth.ActionSaleVoid, ""); !errors.Is(err, auth.ErrApprovalInvalid) &&
				!errors.Is(err, auth.ErrUnavailable) {
				t.Errorf("forged token: %v", err)
			}
		})
	}
}

func TestApprovalSingleUseUnderConcurrency(t *testing.T) {
	rdb, prefix := testRedis(t)
	f := newFixture(t, rdb, prefix)
	tok, err := f.approvals.Issue(t.Context(), auth.ActionSalePriceOverride, "sale-7", "manager-1")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 20 {
		wg.Go(func() {
			if _, err := f.approvals.Consume(t.Context(), tok, auth.ActionSalePriceOverride, "sale-7"); err == nil {
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
	tok, err := live.approvals.Issue(t.Context(), auth.ActionSaleVoid, "", "manager-1")
	if err != nil {
		t.Fatal(err)
	}
	down := newFixture(t, deadRedis(t), prefix)
	if _, err := down.approvals.Consume(t.Context(), tok, auth.ActionSaleVoid, ""); !errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("consume while redis is down: %v, want ErrUnavailable", err)
	}
	if id, err := live.approvals.Consume(t.Context(), tok, auth.ActionSaleVoid, ""); err != nil || id != "manager-1" {
		t.Errorf("after redis is back: %q, %v", id, err)
	}
}
