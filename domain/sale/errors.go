package sale

import (
	"errors"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/tax"
)

// Rule errors of the sale.
var (
	// ErrSaleClosed: the sale is completed and can never change.
	ErrSaleClosed = &rules.RuleError{Code: "sale_closed", Msg: "sale is already completed", Conflict: true}
	// ErrSaleVoided: the sale is voided and can never change.
	ErrSaleVoided = &rules.RuleError{Code: "sale_voided", Msg: "sale is voided", Conflict: true}
	// ErrSaleLocked: the sale is in checkout; only its completion is accepted (or its void, once its
	// shift closed without recording its cash: see VoidSale).
	ErrSaleLocked = &rules.RuleError{Code: "sale_in_checkout", Msg: "sale is being completed", Conflict: true}
	// ErrShiftNotOpen: the sale's shift is not open (or not of its register).
	ErrShiftNotOpen = &rules.RuleError{Code: "shift_not_open", Msg: "no open shift of this register", Conflict: true}
	// ErrProductInactive: the product was deactivated.
	ErrProductInactive = &rules.RuleError{Code: "product_inactive", Msg: "product is deactivated"}
	// ErrFractionalQuantity: a fractional quantity of a product not sold by weight.
	ErrFractionalQuantity = &rules.RuleError{Code: "fractional_quantity", Msg: "only products sold by weight take fractional quantities"}
	// ErrInsufficientStock: the store refuses negative stock (allow_negative_stock false) and
	// there is not enough on hand. A store's rule about the goods, not a state of the sale: 422.
	ErrInsufficientStock = &rules.RuleError{Code: "insufficient_stock", Msg: "not enough stock, and the store refuses to sell into negative stock"}
	// ErrLineNotFound: no such line on the sale.
	ErrLineNotFound = &rules.RuleError{Code: "line_not_found", Msg: "no such line", Conflict: true}
	// ErrDiscountTooLarge: a discount exceeds what it applies to.
	ErrDiscountTooLarge = &rules.RuleError{Code: "discount_exceeds_amount", Msg: "discount exceeds the amount it applies to"}
	// ErrAlreadyPaid: nothing is due.
	ErrAlreadyPaid = &rules.RuleError{Code: "already_paid", Msg: "nothing is due", Conflict: true}
	// ErrOverpayment: a non-cash tender above the amount due, or a change that would exceed the
	// cash tendered (change is given only from cash).
	ErrOverpayment = &rules.RuleError{Code: "overpayment", Msg: "only cash may exceed the amount due"}
	// ErrNotPaid: the sale cannot complete before it is fully paid.
	ErrNotPaid = &rules.RuleError{Code: "not_fully_paid", Msg: "sale is not fully paid", Conflict: true}
	// ErrEmptySale: the sale has no lines.
	ErrEmptySale = &rules.RuleError{Code: "empty_sale", Msg: "sale has no lines", Conflict: true}
	// ErrAmountOutOfRange: an amount does not fit.
	ErrAmountOutOfRange = &rules.RuleError{Code: "amount_out_of_range", Msg: "amount out of range"}
)

func outOfRange(err error) error {
	switch {
	case errors.Is(err, tax.ErrDiscountTooLarge):
		return ErrDiscountTooLarge
	case errors.Is(err, money.ErrCurrencyMismatch):
		return rules.ErrCurrencyMismatch
	}
	return ErrAmountOutOfRange.With(err.Error())
}
