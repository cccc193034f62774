package sale

import (
	"testing"
	"time"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
)

func TestOpen(t *testing.T) {
	open := OpenSale{SaleID: saleID, Store: store, RegisterID: regID, Shift: openShift, CashierID: "cash1"}
	closedShift := openShift
	closedShift.ClosedAt = now.Add(-time.Minute)
	otherRegister := openShift
	otherRegister.RegisterID = id(99)
	upload := open
	upload.Upload, upload.OccurredAt, upload.Shift = true, t0.Add(time.Hour), closedShift
	tooEarly := upload
	tooEarly.OccurredAt = t0.Add(-time.Hour)
	uploaded := opened()
	uploaded.OpenedAt, uploaded.Upload, uploaded.Flags = t0.Add(time.Hour), true, []string{FlagShiftClosed}
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "a sale opens in the open shift of its register", When: open, Then: []Event{opened()}},
		{Name: "opening again is a no-op", Given: []Event{opened()}, When: open},
		{Name: "a sale needs a shift of its own register", When: OpenSale{SaleID: saleID, Store: store, RegisterID: regID, Shift: otherRegister}, Err: ErrShiftNotOpen},
		{Name: "a live sale needs an open shift", When: OpenSale{SaleID: saleID, Store: store, RegisterID: regID, Shift: closedShift}, Err: ErrShiftNotOpen},
		{Name: "an upload is judged at occurred_at: shift open then, closed since → flagged, not refused", When: upload, Then: []Event{uploaded}},
		{Name: "an upload rung before its shift opened is refused", When: tooEarly, Err: ErrShiftNotOpen},
		{Name: "a sale needs ids", When: OpenSale{Store: store}, Err: rules.ErrValidation},
	})
}

func TestAddLine(t *testing.T) {
	inactive := bread
	inactive.Active = false
	tracked := bread
	tracked.TrackStock, tracked.OnHand = true, qp("2")
	override := eur(199)
	overridden := added(line3, bread, "1")
	overridden.Line.UnitPrice, overridden.PriceOverrideBy = eur(199), "mgr"
	discounted := added(line3, bread, "1")
	discounted.Line.DiscountRule = Discount{PercentBP: 2000}
	discounted.DiscountApprovedBy = "mgr"
	small := added(line3, bread, "1")
	small.Line.DiscountRule = Discount{Amount: eur(29)} // 9.7 % of 2.99: within 10 %
	negStock := LineAdded{SaleID: saleID, Line: lineOf(line3, tracked, "3"), Flags: []string{FlagNegativeStock}}
	upload := opened()
	upload.Upload = true
	completed := with(cart(), paid(pay1, TenderCash, 797), SaleCompleted{ReceiptNumber: 1})
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "price and tax in force are kept on the line", Given: []Event{opened()}, When: AddLine{LineID: line1, Product: bread, Quantity: qty("2")}, Then: []Event{added(line1, bread, "2")}},
		{Name: "products sold by weight take fractional quantities", Given: []Event{opened()}, When: AddLine{LineID: line2, Product: apples, Quantity: qty("0.5")}, Then: []Event{added(line2, apples, "0.5")}},
		{Name: "other products take whole quantities only", Given: []Event{opened()}, When: AddLine{LineID: line1, Product: bread, Quantity: qty("1.5")}, Err: ErrFractionalQuantity},
		{Name: "quantity must be positive", Given: []Event{opened()}, When: AddLine{LineID: line1, Product: bread, Quantity: qty("0")}, Err: rules.ErrValidation},
		{Name: "a deactivated product cannot be sold", Given: []Event{opened()}, When: AddLine{LineID: line1, Product: inactive, Quantity: qty("1")}, Err: ErrProductInactive},
		{Name: "a price override needs an approval", Given: cart(), When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), UnitPrice: &override}, Err: rules.ErrApprovalRequired},
		{Name: "an approved price override records the approver", Given: cart(), When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), UnitPrice: &override, Approvals: manager(rules.ActionSalePriceOverride)}, Then: []Event{overridden}},
		{Name: "the catalog price is no override", Given: cart(), When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), UnitPrice: &bread.Price}, Then: []Event{added(line3, bread, "1")}},
		{Name: "a discount within the cashier's limit", Given: cart(), When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), Discount: Discount{Amount: eur(29)}, Limits: cashier}, Then: []Event{small}},
		{Name: "a discount beyond the cashier's limit needs an approval", Given: cart(), When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), Discount: Discount{PercentBP: 2000}, Limits: cashier}, Err: rules.ErrApprovalRequired},
		{Name: "an approved discount records the approver", Given: cart(), When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), Discount: Discount{PercentBP: 2000}, Limits: cashier, Approvals: manager(rules.ActionSaleDiscount)}, Then: []Event{discounted}},
		{Name: "a line discount above the line amount", Given: cart(), When: AddLine{LineID: line3, Product: bread, Quantity: qty("1"), Discount: Discount{Amount: eur(300)}, Limits: rules.Limits{Unlimited: true}}, Err: ErrDiscountTooLarge},
		{Name: "not enough stock where negative stock is forbidden", Given: []Event{opened()}, When: AddLine{LineID: line3, Product: tracked, Quantity: qty("3")}, Err: ErrInsufficientStock},
		{Name: "stock already on the sale counts", Given: []Event{opened(), added(line1, tracked, "2")}, When: AddLine{LineID: line3, Product: tracked, Quantity: qty("1")}, Err: ErrInsufficientStock},
		{Name: "an upload taking stock below zero is flagged, not refused", Given: []Event{upload}, When: AddLine{LineID: line3, Product: tracked, Quantity: qty("3")}, Then: []Event{negStock}},
		{Name: "a retried line is a no-op", Given: cart(), When: AddLine{LineID: line1, Product: bread, Quantity: qty("2")}},
		{Name: "a line id reused for something else", Given: cart(), When: AddLine{LineID: line1, Product: apples, Quantity: qty("1")}, Err: rules.ErrIDReused},
		{Name: "a completed sale never changes", Given: completed, When: AddLine{LineID: line3, Product: bread, Quantity: qty("1")}, Err: ErrSaleClosed},
		{Name: "a voided sale never changes", Given: with(cart(), SaleVoided{Reason: "x"}), When: AddLine{LineID: line3, Product: bread, Quantity: qty("1")}, Err: ErrSaleVoided},
		{Name: "a sale in checkout is locked", Given: with(cart(), paid(pay1, TenderCash, 797), CheckoutStarted{}), When: AddLine{LineID: line3, Product: bread, Quantity: qty("1")}, Err: ErrSaleLocked},
		{Name: "a line in another currency", Given: []Event{opened()}, When: AddLine{LineID: line3, Product: Product{ID: breadID, Active: true, Price: money.New(299, "USD")}, Quantity: qty("1")}, Err: rules.ErrValidation},
		{Name: "no sale", When: AddLine{LineID: line1, Product: bread, Quantity: qty("1")}, Err: rules.ErrNotFound},
	})
}
