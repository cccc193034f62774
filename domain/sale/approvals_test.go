package sale

import (
	"errors"
	"reflect"
	"testing"

	"github.com/odata-pos/pos/domain/rules"
)

// TestDecideAsApproved: one decision names every approval a command needs, so a cashier asks
// a manager once; with them all given the command records their approvers.
func TestDecideAsApproved(t *testing.T) {
	s := decider.Fold(cart())
	override := eur(199)
	both := AddLine{LineID: line3, Product: bread, Quantity: qty("1"), UnitPrice: &override, Discount: Discount{PercentBP: 2000}, Limits: cashier}

	evs, needs, err := DecideAsApproved(s, both, now)
	if err != nil || !reflect.DeepEqual(needs, []string{rules.ActionSalePriceOverride, rules.ActionSaleDiscount}) || len(evs) != 1 {
		t.Fatalf("needs %v, err %v, events %v", needs, err, evs)
	}
	if _, err := Decide(s, both, now); !reflect.DeepEqual(rules.RequiredApprovals(err), []string{rules.ActionSalePriceOverride}) {
		t.Fatalf("Decide alone stops at the first approval: %v", err)
	}

	half := both
	half.Approvals = manager(rules.ActionSalePriceOverride)
	if _, needs, err := DecideAsApproved(s, half, now); err != nil || !reflect.DeepEqual(needs, []string{rules.ActionSaleDiscount}) {
		t.Fatalf("with the override approved: needs %v, err %v", needs, err)
	}

	full := both
	full.Approvals = manager(rules.ActionSalePriceOverride, rules.ActionSaleDiscount)
	evs, needs, err = DecideAsApproved(s, full, now)
	if err != nil || len(needs) != 0 || len(evs) != 1 {
		t.Fatalf("fully approved: needs %v, err %v", needs, err)
	}
	if e := evs[0].(LineAdded); e.PriceOverrideBy != "mgr" || e.DiscountApprovedBy != "mgr" || e.Line.UnitPrice != override {
		t.Fatalf("approvers not recorded: %+v", e)
	}

	// Any other refusal wins: no approval is asked for a command that would fail anyway.
	tracked := bread
	tracked.TrackStock, tracked.OnHand = true, qp("0")
	short := both
	short.Product = tracked
	if _, _, err := DecideAsApproved(s, short, now); !errors.Is(err, ErrInsufficientStock) {
		t.Fatalf("out of stock with approvals assumed: %v", err)
	}
	// A command that takes no approvals is returned as refused.
	if _, _, err := DecideAsApproved(s, AddPayment{Payment{ID: pay1, Tender: "iou", Amount: eur(1)}}, now); !errors.Is(err, rules.ErrValidation) {
		t.Fatalf("payment: %v", err)
	}
}
