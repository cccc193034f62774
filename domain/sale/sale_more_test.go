package sale

import (
	"testing"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/rules"
)

func TestRemoveLineAndDiscounts(t *testing.T) {
	paidCard := with(cart(), paid(pay1, TenderCard, 500))
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "a line is removed before payment", Given: cart(), When: RemoveLine{LineID: line1}, Then: []Event{LineRemoved{SaleID: saleID, LineID: line1}}},
		{Name: "removing it again is a no-op", Given: with(cart(), LineRemoved{SaleID: saleID, LineID: line1}), When: RemoveLine{LineID: line1}},
		{Name: "an unknown line", Given: cart(), When: RemoveLine{LineID: line3}, Err: ErrLineNotFound},
		{Name: "a line void after payment needs an approval", Given: paidCard, When: RemoveLine{LineID: line2}, Err: rules.ErrApprovalRequired},
		{Name: "an approved line void after payment", Given: paidCard, When: RemoveLine{LineID: line2, Approvals: manager(rules.ActionSaleVoid)}, Then: []Event{LineRemoved{SaleID: saleID, LineID: line2, AfterPayment: true, ApprovedBy: "mgr"}}},
		{Name: "a line void may not leave card payments above the total", Given: paidCard, When: RemoveLine{LineID: line1, Approvals: manager(rules.ActionSaleVoid)}, Err: ErrOverpayment},
		{Name: "a sale discount within the limit (0.79 of 7.97)", Given: cart(), When: ApplyDiscount{Discount: Discount{Amount: eur(79)}, Limits: cashier}, Then: []Event{DiscountApplied{SaleID: saleID, Discount: Discount{Amount: eur(79)}, Amount: eur(79)}}},
		{Name: "a sale discount just beyond the limit (0.80 of 7.97)", Given: cart(), When: ApplyDiscount{Discount: Discount{Amount: eur(80)}, Limits: cashier}, Err: rules.ErrApprovalRequired},
		{Name: "a line percent discount within the limit", Given: cart(), When: ApplyDiscount{LineID: line1, Discount: Discount{PercentBP: 1000}, Limits: cashier}, Then: []Event{DiscountApplied{SaleID: saleID, LineID: line1, Discount: Discount{PercentBP: 1000}, Amount: eur(60)}}},
		{Name: "managers have no limit", Given: cart(), When: ApplyDiscount{Discount: Discount{PercentBP: 5000}, Limits: rules.Limits{Unlimited: true}}, Then: []Event{DiscountApplied{SaleID: saleID, Discount: Discount{PercentBP: 5000}, Amount: eur(399)}}},
		{Name: "a sale discount above the sale", Given: cart(), When: ApplyDiscount{Discount: Discount{Amount: eur(798)}, Limits: rules.Limits{Unlimited: true}}, Err: ErrDiscountTooLarge},
		{Name: "percent and amount at once", Given: cart(), When: ApplyDiscount{Discount: Discount{PercentBP: 1, Amount: eur(1)}}, Err: rules.ErrValidation},
		{Name: "removing a line may not leave the fixed sale discount above the rest",
			Given: with(cart(), DiscountApplied{SaleID: saleID, Discount: Discount{Amount: eur(300)}}), When: RemoveLine{LineID: line1}, Err: ErrDiscountTooLarge},
		{Name: "a discount on an unknown line", Given: cart(), When: ApplyDiscount{LineID: line3, Discount: Discount{PercentBP: 100}}, Err: ErrLineNotFound},
	})
}

func TestPayments(t *testing.T) {
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "a card payment up to the amount due", Given: cart(), When: AddPayment{Payment{ID: pay1, Tender: TenderCard, Amount: eur(797)}}, Then: []Event{paid(pay1, TenderCard, 797)}},
		{Name: "a card payment above the amount due: change comes only from cash", Given: cart(), When: AddPayment{Payment{ID: pay1, Tender: TenderCard, Amount: eur(798)}}, Err: ErrOverpayment},
		{Name: "cash may exceed the amount due", Given: cart(), When: AddPayment{Payment{ID: pay1, Tender: TenderCash, Amount: eur(1000)}}, Then: []Event{paid(pay1, TenderCash, 1000)}},
		{Name: "nothing due, no payment", Given: with(cart(), paid(pay1, TenderCash, 797)), When: AddPayment{Payment{ID: pay2, Tender: TenderCash, Amount: eur(1)}}, Err: ErrAlreadyPaid},
		{Name: "a retried payment is a no-op", Given: with(cart(), paid(pay1, TenderCash, 797)), When: AddPayment{Payment{ID: pay1, Tender: TenderCash, Amount: eur(797)}}},
		{Name: "a payment id reused for another amount", Given: with(cart(), paid(pay1, TenderCash, 500)), When: AddPayment{Payment{ID: pay1, Tender: TenderCash, Amount: eur(100)}}, Err: rules.ErrIDReused},
		{Name: "unknown tender, zero amount", Given: cart(), When: AddPayment{Payment{ID: pay1, Tender: "iou", Amount: eur(0)}}, Err: rules.ErrValidation},
		{Name: "no payment on a completed sale", Given: with(cart(), paid(pay1, TenderCash, 797), SaleCompleted{ReceiptNumber: 1}), When: AddPayment{Payment{ID: pay2, Tender: TenderCash, Amount: eur(1)}}, Err: ErrSaleClosed},
	})
}

func TestCheckoutCompleteVoid(t *testing.T) {
	closedShift := openShift
	closedShift.ClosedAt = now
	fullyPaid := with(cart(), paid(pay1, TenderCash, 1000))
	checkout := CheckoutStarted{SaleID: saleID, Totals: Totals{Subtotal: eur(797), Discount: eur(0), Tax: eur(65), Total: eur(797),
		Paid: eur(1000), Change: eur(203), Due: eur(0), CashPaid: eur(1000), NonCashPaid: eur(0)}}
	completed := with(fullyPaid, checkout, SaleCompleted{SaleID: saleID, ReceiptNumber: 5})
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "checkout locks a fully paid sale", Given: fullyPaid, When: StartCheckout{Shift: openShift}, Then: []Event{checkout}},
		{Name: "a sale completes only when fully paid", Given: with(cart(), paid(pay1, TenderCash, 796)), When: StartCheckout{Shift: openShift}, Err: ErrNotPaid},
		{Name: "an empty sale does not complete", Given: []Event{opened()}, When: StartCheckout{Shift: openShift}, Err: ErrEmptySale},
		{Name: "a live sale needs its shift still open", Given: fullyPaid, When: StartCheckout{Shift: closedShift}, Err: ErrShiftNotOpen},
		{Name: "checkout again is a no-op", Given: with(fullyPaid, checkout), When: StartCheckout{Shift: openShift}},
		{Name: "completion needs a receipt number from the register", Given: with(fullyPaid, checkout), When: CompleteSale{Shift: openShift}, Err: rules.ErrValidation},
		{Name: "a retried completion with the same number is a no-op", Given: completed, When: CompleteSale{ReceiptNumber: 5, Shift: openShift}},
		{Name: "a completed sale never takes another number", Given: completed, When: CompleteSale{ReceiptNumber: 6, Shift: openShift}, Err: ErrSaleClosed},
		{Name: "a sale without payments is voided", Given: cart(), When: VoidSale{Reason: "customer left"}, Then: []Event{SaleVoided{SaleID: saleID, Reason: "customer left", VoidedAt: now}}},
		{Name: "a void needs a reason", Given: cart(), When: VoidSale{}, Err: rules.ErrValidation},
		{Name: "a void after payment needs an approval", Given: fullyPaid, When: VoidSale{Reason: "x"}, Err: rules.ErrApprovalRequired},
		{Name: "an approved void after payment lists the tenders to hand back", Given: fullyPaid, When: VoidSale{Reason: "x", Approvals: manager(rules.ActionSaleVoid)},
			Then: []Event{SaleVoided{SaleID: saleID, Reason: "x", Payments: []Payment{{ID: pay1, Tender: TenderCash, Amount: eur(1000)}}, ApprovedBy: "mgr", VoidedAt: now}}},
		{Name: "a completed sale cannot be voided", Given: completed, When: VoidSale{Reason: "x", Approvals: manager(rules.ActionSaleVoid)}, Err: ErrSaleClosed},
		{Name: "a sale in checkout cannot be voided", Given: with(fullyPaid, checkout), When: VoidSale{Reason: "x", Approvals: manager(rules.ActionSaleVoid)}, Err: ErrSaleLocked},
		{Name: "voiding again is a no-op", Given: with(cart(), SaleVoided{Reason: "x"}), When: VoidSale{Reason: "x"}},
	})
}
