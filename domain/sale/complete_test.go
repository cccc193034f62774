package sale

import (
	"reflect"
	"testing"
	"time"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/tax"
)

// TestOneShotSaleAddsUpToTheCent drives a whole sale through DecideAll, as the one-call
// POST /sales does, in an exclusive-tax store, and checks every figure of SaleCompleted.
func TestOneShotSaleAddsUpToTheCent(t *testing.T) {
	excl := StoreInfo{ID: storeID, Currency: "EUR", Rounding: money.HalfUp}
	wine := Product{ID: id(12), SKU: "WIN", Name: "Wine", Active: true, Price: eur(1000), TaxCode: "HIGH", TaxRateBP: 2100}
	soap := Product{ID: id(13), SKU: "SOP", Name: "Soap", Active: true, Price: eur(500), TaxCode: "LOW", TaxRateBP: 900}
	cmds := []Command{
		OpenSale{SaleID: saleID, Store: excl, RegisterID: regID, Shift: openShift, CashierID: "cash1"},
		AddLine{LineID: line1, Product: wine, Quantity: qty("3")},
		AddLine{LineID: line2, Product: soap, Quantity: qty("1")},
		ApplyDiscount{Discount: Discount{Amount: eur(350)}, Limits: rules.Limits{Unlimited: true}},
		AddPayment{Payment{ID: pay1, Tender: TenderCard, Amount: eur(2000)}},
		AddPayment{Payment{ID: pay2, Tender: TenderCash, Amount: eur(2000)}},
		StartCheckout{Shift: openShift},
		CompleteSale{ReceiptNumber: 42, Shift: openShift},
	}
	events, s, err := DecideAll(State{}, cmds, now)
	if err != nil {
		t.Fatal(err)
	}
	done, ok := events[len(events)-1].(SaleCompleted)
	if !ok || s.Status != StatusCompleted || s.ReceiptNumber != 42 {
		t.Fatalf("last event %T, status %s", events[len(events)-1], s.Status)
	}
	// amounts 30.00 and 5.00; sale discount 3.50 apportioned 3.00 : 0.50; nets 27.00 and 4.50;
	// tax 5.67 and 0.405 → 0.41; total 35.00 − 3.50 + 6.08 = 37.58; paid 40.00, change 2.42.
	want := Totals{Subtotal: eur(3500), Discount: eur(350), Tax: eur(608), Total: eur(3758), Paid: eur(4000),
		Change: eur(242), Due: eur(0), CashPaid: eur(2000), NonCashPaid: eur(2000)}
	if done.Totals != want {
		t.Fatalf("totals %+v\nwant %+v", done.Totals, want)
	}
	if done.CashIn != eur(1758) || done.CashierID != "cash1" || done.StoreID != storeID || done.ShiftID != shiftID || len(done.Payments) != 2 {
		t.Fatalf("completed event %+v", done)
	}
	l0, l1 := done.Lines[0], done.Lines[1]
	if l0.Net != eur(2700) || l0.Tax != eur(567) || l0.Total != eur(3267) || l0.SaleDiscount != eur(300) || l0.UnitPrice != eur(1000) || l0.Quantity != qty("3") {
		t.Fatalf("line 0 %+v", l0)
	}
	if l1.Net != eur(450) || l1.Tax != eur(41) || l1.Total != eur(491) || l1.Discount != eur(50) {
		t.Fatalf("line 1 %+v", l1)
	}
	if err := (tax.Totals{Subtotal: want.Subtotal, Discount: want.Discount, Tax: want.Tax, Total: want.Total}).Check(s.Pricing()); err != nil {
		t.Fatal(err)
	}
	// DecideAll fails as a whole: an unpaid one-shot sale is refused with no events.
	if evs, _, err := DecideAll(State{}, cmds[:4:4], now); err != nil || len(evs) != 4 {
		t.Fatalf("partial sale: %v, %d events", err, len(evs))
	}
	if evs, _, err := DecideAll(State{}, append(cmds[:4:4], CompleteSale{ReceiptNumber: 1, Shift: openShift}), now); err == nil || evs != nil {
		t.Fatalf("unpaid one-shot sale completed: %v", evs)
	}
}

// TestUploadIntoClosedShift: an offline sale rung while the shift was open is completed even
// though the shift has closed since, with the price then in force, and flagged.
func TestUploadIntoClosedShift(t *testing.T) {
	closed := openShift
	closed.ClosedAt = now
	rungAt := t0.Add(time.Hour)
	oldBread := bread
	oldBread.Price = eur(279) // the caller passes the price in force at occurred_at
	cmds := []Command{
		OpenSale{SaleID: saleID, Store: store, RegisterID: regID, Shift: closed, CashierID: "cash1", OccurredAt: rungAt, Upload: true},
		AddLine{LineID: line1, Product: oldBread, Quantity: qty("1")},
		AddPayment{Payment{ID: pay1, Tender: TenderCash, Amount: eur(279)}},
		StartCheckout{Shift: closed},
		CompleteSale{ReceiptNumber: 9, Shift: closed},
	}
	events, _, err := DecideAll(State{}, cmds, now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	done := events[len(events)-1].(SaleCompleted)
	if !done.Upload || !reflect.DeepEqual(done.Flags, []string{FlagShiftClosed}) || !done.CompletedAt.Equal(rungAt) || done.Totals.Total != eur(279) {
		t.Fatalf("upload completed as %+v", done)
	}
}
