package sale

import (
	"testing"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/rules"
)

// TestVoidLockedSale: a sale locked in checkout whose shift closed before completion recorded
// its cash can never complete (completion refuses a live sale's cash after the close), so it
// may be voided, as any paid sale, with a reason and a sale.void approval. Whenever the sale
// could still complete — the shift is open, the shift recorded its cash (it is in the close's
// expected cash), it is an upload — it stays locked.
func TestVoidLockedSale(t *testing.T) {
	fullyPaid := with(cart(), paid(pay1, TenderCash, 1000))
	locked := with(fullyPaid, CheckoutStarted{SaleID: saleID})
	closedWithout := ShiftCash{ShiftID: shiftID, Closed: true}
	counted := ShiftCash{ShiftID: shiftID, Closed: true, Recorded: true}
	upload := opened()
	upload.Upload = true
	lockedUpload := []Event{upload, added(line1, bread, "1"), paid(pay1, TenderCash, 299), CheckoutStarted{SaleID: saleID}}
	free := with(cart(), DiscountApplied{SaleID: saleID, Discount: Discount{PercentBP: 10000}}, CheckoutStarted{SaleID: saleID})
	voided := SaleVoided{SaleID: saleID, Reason: "shift closed", Payments: []Payment{{ID: pay1, Tender: TenderCash, Amount: eur(1000)}},
		ApprovedBy: "mgr", VoidedAt: now, InCheckout: true}
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "a locked sale whose shift closed without its cash is voided, its tenders handed back",
			Given: locked, When: VoidSale{Reason: "shift closed", Approvals: manager(rules.ActionSaleVoid), Shift: closedWithout}, Then: []Event{voided}},
		{Name: "its payments make the void need an approval", Given: locked, When: VoidSale{Reason: "shift closed", Shift: closedWithout}, Err: rules.ErrApprovalRequired},
		{Name: "an approval for another action does not do", Given: locked,
			When: VoidSale{Reason: "shift closed", Approvals: manager(rules.ActionSaleDiscount), Shift: closedWithout}, Err: rules.ErrApprovalRequired},
		{Name: "it needs a reason", Given: locked, When: VoidSale{Approvals: manager(rules.ActionSaleVoid), Shift: closedWithout}, Err: rules.ErrValidation},
		{Name: "a locked sale without payments (free) needs no approval", Given: free, When: VoidSale{Reason: "x", Shift: closedWithout},
			Then: []Event{SaleVoided{SaleID: saleID, Reason: "x", VoidedAt: now, InCheckout: true}}},
		{Name: "a sale whose cash the shift recorded must complete: it is in the close's figures",
			Given: locked, When: VoidSale{Reason: "x", Approvals: manager(rules.ActionSaleVoid), Shift: counted}, Err: ErrSaleLocked},
		{Name: "while the shift is open the sale can complete", Given: locked,
			When: VoidSale{Reason: "x", Approvals: manager(rules.ActionSaleVoid), Shift: ShiftCash{ShiftID: shiftID}}, Err: ErrSaleLocked},
		{Name: "without the shift's word the sale stays locked", Given: locked,
			When: VoidSale{Reason: "x", Approvals: manager(rules.ActionSaleVoid)}, Err: ErrSaleLocked},
		{Name: "another shift's word does not count", Given: locked,
			When: VoidSale{Reason: "x", Approvals: manager(rules.ActionSaleVoid), Shift: ShiftCash{ShiftID: id(99), Closed: true}}, Err: ErrSaleLocked},
		{Name: "an upload completes after its shift closed: it stays locked", Given: lockedUpload,
			When: VoidSale{Reason: "x", Approvals: manager(rules.ActionSaleVoid), Shift: closedWithout}, Err: ErrSaleLocked},
		{Name: "voiding it again is a no-op", Given: with(locked, voided), When: VoidSale{Reason: "shift closed", Shift: closedWithout}},
		{Name: "a voided locked sale never completes", Given: with(locked, voided), When: CompleteSale{ReceiptNumber: 3, Shift: openShift}, Err: ErrSaleVoided},
		{Name: "nor is it checked out again", Given: with(locked, voided), When: StartCheckout{Shift: openShift}, Err: ErrSaleVoided},
		{Name: "an open sale's void ignores the shift", Given: fullyPaid,
			When: VoidSale{Reason: "x", Approvals: manager(rules.ActionSaleVoid), Shift: counted},
			Then: []Event{SaleVoided{SaleID: saleID, Reason: "x", Payments: []Payment{{ID: pay1, Tender: TenderCash, Amount: eur(1000)}}, ApprovedBy: "mgr", VoidedAt: now}}},
	})
}
