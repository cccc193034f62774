package sale

import (
	"math"
	"testing"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// TestBounds: every amount and quantity a sale command carries, and the sale's figures, stay
// within money.MaxAmount and quantity.Max (issue 11.1).
func TestBounds(t *testing.T) {
	dear := bread
	dear.Price = eur(money.MaxAmount)
	huge := eur(math.MaxInt64)
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "a quantity beyond quantity.Max is refused", Given: []Event{opened()}, When: AddLine{LineID: line1, Product: bread, Quantity: quantity.Max + quantity.FromInt(1)}, Err: rules.ErrValidation},
		{Name: "a unit price beyond money.MaxAmount is refused", Given: []Event{opened()}, When: AddLine{LineID: line1, Product: bread, Quantity: qty("1"), UnitPrice: &huge, Approvals: manager("sale.price_override")}, Err: rules.ErrValidation},
		{Name: "a discount amount beyond money.MaxAmount is refused", Given: cart(), When: ApplyDiscount{Discount: Discount{Amount: huge}}, Err: rules.ErrValidation},
		{Name: "a payment beyond money.MaxAmount is refused", Given: cart(), When: AddPayment{Payment{ID: pay1, Tender: TenderCash, Amount: huge}}, Err: rules.ErrValidation},
		{Name: "a line whose amount passes money.MaxAmount is refused", Given: []Event{opened()}, When: AddLine{LineID: line1, Product: dear, Quantity: qty("2")}, Err: ErrAmountOutOfRange},
		{Name: "a second line taking the total past money.MaxAmount is refused", Given: []Event{opened(), added(line1, dear, "1")}, When: AddLine{LineID: line2, Product: bread, Quantity: qty("1")}, Err: ErrAmountOutOfRange},
		{Name: "cash tendered past money.MaxAmount in total is refused", Given: with(cart(), paid(pay1, TenderCash, 100)), When: AddPayment{Payment{ID: pay2, Tender: TenderCash, Amount: eur(money.MaxAmount)}}, Err: ErrAmountOutOfRange},
	})
}
