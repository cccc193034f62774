package sale

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

var (
	decider = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}
	t0      = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	now     = t0.Add(2 * time.Hour)

	saleID, storeID, regID, shiftID = id(1), id(2), id(3), id(4)
	appleID, breadID                = id(10), id(11)
	line1, line2, line3             = id(20), id(21), id(22)
	pay1, pay2                      = id(30), id(31)

	store     = StoreInfo{ID: storeID, Currency: "EUR", PricesIncludeTax: true, Rounding: money.HalfUp}
	openShift = ShiftInfo{ID: shiftID, RegisterID: regID, OpenedAt: t0}
	cashier   = rules.Limits{MaxDiscountBP: 1000, MaxRefund: 5000}
	manager   = func(actions ...string) rules.Approvals {
		var as rules.Approvals
		for _, a := range actions {
			as = as.With(rules.Approval{ApproverID: "mgr", Action: a})
		}
		return as
	}

	// bread: 2.99 incl. 9 % VAT, by the piece; apples: 3.98/kg incl. 9 %, by weight.
	bread  = Product{ID: breadID, SKU: "BRD", Name: "Bread", Category: "bakery", Active: true, Price: eur(299), TaxCode: "LOW", TaxRateBP: 900}
	apples = Product{ID: appleID, SKU: "APL", Name: "Apples", Category: "fruit", Active: true, SoldByWeight: true, Price: eur(398), TaxCode: "LOW", TaxRateBP: 900}
)

func id(n byte) uuid.UUID            { var u uuid.UUID; u[15] = n; return u }
func eur(a int64) money.Money        { return money.New(a, "EUR") }
func qty(s string) quantity.Quantity { return quantity.MustParse(s) }
func qp(s string) *quantity.Quantity { q := quantity.MustParse(s); return &q }

func opened() SaleOpened {
	return SaleOpened{SaleID: saleID, StoreID: storeID, RegisterID: regID, ShiftID: shiftID, CashierID: "cash1",
		Currency: "EUR", PricesIncludeTax: true, Rounding: money.HalfUp, OpenedAt: now}
}

func lineOf(lineID uuid.UUID, p Product, q string) Line {
	return Line{ID: lineID, ProductID: p.ID, SKU: p.SKU, Name: p.Name, Category: p.Category, Quantity: qty(q),
		UnitPrice: p.Price, ListPrice: p.Price, TaxCode: p.TaxCode, TaxRateBP: p.TaxRateBP, SoldByWeight: p.SoldByWeight, TrackStock: p.TrackStock}
}

func added(lineID uuid.UUID, p Product, q string) LineAdded {
	return LineAdded{SaleID: saleID, Line: lineOf(lineID, p, q)}
}

func paid(pid uuid.UUID, tender string, amount int64) PaymentAdded {
	return PaymentAdded{SaleID: saleID, Payment: Payment{ID: pid, Tender: tender, Amount: eur(amount)}}
}

// cart: 2 bread (5.98) + 0.5 kg apples (1.99) = 7.97.
func cart() []Event { return []Event{opened(), added(line1, bread, "2"), added(line2, apples, "0.5")} }

func with(base []Event, more ...Event) []Event { return append(append([]Event(nil), base...), more...) }
