package rules

import (
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
)

// Amount records a problem with field (the amount's JSON path, e.g. "amount.amount") when m
// lies beyond ±money.MaxAmount.
func (v *Validator) Amount(field string, m money.Money) {
	v.Check(m.InBounds(), field, money.BoundsMessage)
}

// OptionalAmount is Amount for an optional field; nil is in bounds.
func (v *Validator) OptionalAmount(field string, m *money.Money) {
	if m != nil {
		v.Amount(field, *m)
	}
}

// Quantity records a problem with field when q lies beyond ±quantity.Max.
func (v *Validator) Quantity(field string, q quantity.Quantity) {
	v.Check(q.InBounds(), field, quantity.BoundsMessage)
}

// ErrOutOfRange: a sum the command would make (a document's total, a running figure) lies
// beyond money.MaxAmount or quantity.Max, or would overflow.
var ErrOutOfRange = &RuleError{Code: "out_of_range", Msg: "the result is out of range"}
