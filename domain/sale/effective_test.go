package sale

import (
	"errors"
	"reflect"
	"testing"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/rules"
)

// TestEffectiveDiscountLimit: the cashier's limit (10 %) holds for the sale's effective
// discount, line and sale discounts together as a share of the undiscounted gross, in either
// order; an approved effective discount records its approver.
func TestEffectiveDiscountLimit(t *testing.T) {
	pct := func(bp int64) Discount { return Discount{PercentBP: bp} }
	lineOff := func(bp int64, amount int64) DiscountApplied {
		return DiscountApplied{SaleID: saleID, LineID: line1, Discount: pct(bp), Amount: eur(amount)}
	}
	saleOff := func(d Discount, amount int64) DiscountApplied {
		return DiscountApplied{SaleID: saleID, Discount: d, Amount: eur(amount)}
	}
	// cart: 2 bread (5.98) + 0.5 kg apples (1.99) = 7.97; 10 % of line1 is 0.60, and 10 % of
	// what the lines then charge (7.37) is 0.74: 1.34 off 7.97 is 16.8 %.
	lineTen, saleTen := with(cart(), lineOff(1000, 60)), with(cart(), saleOff(pct(1000), 80))
	approvedBoth := with(lineTen, saleOff(pct(1000), 74))
	bothTen := with(cart(), lineOff(1000, 60), saleOff(pct(1000), 74))
	discounted := added(line3, bread, "1")
	discounted.Line.DiscountRule = pct(1000)
	// A fixed 0.79 off 7.97 is within 10 %; without the bread it is 0.79 of 1.99.
	fixed := with(cart(), saleOff(Discount{Amount: eur(79)}, 79))
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "line then sale: a 10 % sale discount on a 10 % line discount needs an approval", Given: lineTen,
			When: ApplyDiscount{Discount: pct(1000), Limits: cashier}, Err: rules.ErrApprovalRequired},
		{Name: "sale then line: a 10 % line discount under a 10 % sale discount needs an approval", Given: saleTen,
			When: ApplyDiscount{LineID: line1, Discount: pct(1000), Limits: cashier}, Err: rules.ErrApprovalRequired},
		{Name: "a line added with 10 % off into a sale with 10 % off needs an approval", Given: saleTen,
			When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), Discount: pct(1000), Limits: cashier}, Err: rules.ErrApprovalRequired},
		{Name: "line then sale, approved: the sale discount records its approver", Given: lineTen,
			When: ApplyDiscount{Discount: pct(1000), Limits: cashier, Approvals: manager(rules.ActionSaleDiscount)},
			Then: []Event{DiscountApplied{SaleID: saleID, Discount: pct(1000), Amount: eur(74), ApprovedBy: "mgr"}}},
		{Name: "sale then line, approved: the line discount records its approver", Given: saleTen,
			When: ApplyDiscount{LineID: line1, Discount: pct(1000), Limits: cashier, Approvals: manager(rules.ActionSaleDiscount)},
			Then: []Event{DiscountApplied{SaleID: saleID, LineID: line1, Discount: pct(1000), Amount: eur(60), ApprovedBy: "mgr"}}},
		{Name: "a line added with 10 % off, approved, records its approver", Given: saleTen,
			When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), Discount: pct(1000), Limits: cashier, Approvals: manager(rules.ActionSaleDiscount)},
			Then: []Event{LineAdded{SaleID: saleID, Line: discounted.Line, DiscountApprovedBy: "mgr"}}},
		{Name: "5 % on a line and 5 % on the sale stay within 10 %", Given: with(cart(), lineOff(500, 30)),
			When: ApplyDiscount{Discount: pct(500), Limits: cashier}, Then: []Event{saleOff(pct(500), 38)}},
		{Name: "managers have no limit on the effective discount", Given: lineTen,
			When: ApplyDiscount{Discount: pct(1000), Limits: rules.Limits{Unlimited: true}}, Then: []Event{saleOff(pct(1000), 74)}},
		{Name: "lowering an approved discount needs no second approval", Given: approvedBoth,
			When: ApplyDiscount{Discount: pct(500), Limits: cashier}, Then: []Event{saleOff(pct(500), 37)}},
		{Name: "an undiscounted line added to an approved sale needs no second approval", Given: approvedBoth,
			When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), Limits: cashier}, Then: []Event{added(line3, bread, "1")}},
		{Name: "raising an approved discount needs a new approval", Given: bothTen,
			When: ApplyDiscount{LineID: line2, Discount: pct(500), Limits: cashier}, Err: rules.ErrApprovalRequired},
		{Name: "removing a line that lifts a fixed sale discount beyond the limit needs an approval", Given: fixed,
			When: RemoveLine{LineID: line1, Limits: cashier}, Err: rules.ErrApprovalRequired},
		{Name: "that removal, approved, records the approver", Given: fixed,
			When: RemoveLine{LineID: line1, Limits: cashier, Approvals: manager(rules.ActionSaleDiscount)},
			Then: []Event{LineRemoved{SaleID: saleID, LineID: line1, DiscountApprovedBy: "mgr"}}},
		{Name: "removing a line of an undiscounted sale needs none", Given: cart(),
			When: RemoveLine{LineID: line1, Limits: cashier}, Then: []Event{LineRemoved{SaleID: saleID, LineID: line1}}},
	})
}

// TestEffectiveDiscountInOneCall: the one-call sale (lines, then the sale discount, decided as
// one sequence) asks for the approval its stacked discounts need.
func TestEffectiveDiscountInOneCall(t *testing.T) {
	s := decider.Fold([]Event{opened()})
	steps := []Command{
		AddLine{LineID: line1, Product: bread, Quantity: qty("2"), Discount: Discount{PercentBP: 1000}, Limits: cashier},
		ApplyDiscount{Discount: Discount{PercentBP: 1000}, Limits: cashier},
	}
	if _, _, err := DecideAll(s, steps, now); !errors.Is(err, rules.ErrApprovalRequired) {
		t.Fatalf("10 %% + 10 %% in one call: %v", err)
	}
	var needs []string
	for _, c := range steps {
		evs, more, err := DecideAsApproved(s, c, now)
		if err != nil {
			t.Fatal(err)
		}
		needs = append(needs, more...)
		for _, e := range evs {
			s = Evolve(s, e)
		}
	}
	if !reflect.DeepEqual(needs, []string{rules.ActionSaleDiscount}) {
		t.Fatalf("needs %v", needs)
	}
}
