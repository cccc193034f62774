package sale

import (
	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/rules"
)

func decidePayment(s State, c AddPayment) ([]Event, error) {
	p := c.Payment
	var v rules.Validator
	v.Check(p.ID != uuid.Nil, "id", "is required")
	v.Check(ValidTender(p.Tender), "tender", "must be cash, card, gift_card, store_credit or other")
	v.Check(p.Amount.Amount > 0, "amount.amount", "must be positive")
	v.Check(p.Amount.Currency == s.Currency, "amount.currency", "must be "+s.Currency)
	v.Amount("amount.amount", p.Amount)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if old, ok := s.Payment(p.ID); ok {
		if old == p {
			return nil, nil // a retry
		}
		return nil, rules.ErrIDReused
	}
	if err := mustBeOpen(s); err != nil {
		return nil, err
	}
	t, _, err := s.Priced()
	if err != nil {
		return nil, err
	}
	if t.Due.Amount == 0 {
		return nil, ErrAlreadyPaid
	}
	if p.Tender != TenderCash && p.Amount.Amount > t.Due.Amount {
		return nil, ErrOverpayment.With("due " + t.Due.String())
	}
	e := PaymentAdded{SaleID: s.ID, Payment: p}
	next, _, err := Evolve(s, e).Priced()
	if err != nil {
		return nil, err
	}
	if err := checkBounds(next); err != nil {
		return nil, err
	}
	return []Event{e}, nil
}
