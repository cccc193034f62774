package returns

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// TypeReturnBooked is the event type name of ReturnBooked.
const TypeReturnBooked = "returns.return_booked.v1"

// ReturnBooked books a return against its sale's ledger, one stream per sale. The ledger is
// where returns of one sale are decided one after the other: a return is first booked there
// (with optimistic concurrency, so two returns racing for the last item cannot both win) and
// then recorded on its own stream as ReturnRecorded, exactly the Return carried here. Reports
// count ReturnRecorded, never ReturnBooked.
type ReturnBooked struct {
	SaleID uuid.UUID      `json:"sale_id"`
	Return ReturnRecorded `json:"return"`
}

// EventType returns TypeReturnBooked.
func (ReturnBooked) EventType() string { return TypeReturnBooked }

// Ledger is what the returns of one sale took back so far. Its maps are updated in place by
// EvolveLedger: treat a Ledger passed to EvolveLedger as consumed.
type Ledger struct {
	SaleID uuid.UUID
	// Returned is the quantity returned per sale line; Refunded the amount refunded per tender.
	Returned map[uuid.UUID]quantity.Quantity
	Refunded map[string]money.Money
	// Booked are the returns booked, by return ID.
	Booked map[uuid.UUID]ReturnRecorded
}

// EvolveLedger applies e to l.
func EvolveLedger(l Ledger, e Event) Ledger {
	b, ok := e.(ReturnBooked)
	if !ok {
		return l
	}
	if l.Booked == nil {
		l.Returned, l.Refunded, l.Booked = map[uuid.UUID]quantity.Quantity{}, map[string]money.Money{}, map[uuid.UUID]ReturnRecorded{}
	}
	l.SaleID = b.SaleID
	l.Booked[b.Return.ReturnID] = b.Return
	for _, ln := range b.Return.Lines {
		l.Returned[ln.SaleLineID] += ln.Quantity
	}
	for _, r := range b.Return.Refunds {
		m, ok := l.Refunded[r.Tender]
		if !ok {
			m = money.Zero(r.Amount.Currency)
		}
		m.Amount += r.Amount.Amount
		l.Refunded[r.Tender] = m
	}
	return l
}

// Book decides a return of a sale against the sale's ledger: c's Returned and Refunded are
// taken from l (whatever the caller put there is ignored). A return already booked books
// nothing (a retry). c.Sale is required.
func Book(l Ledger, c CreateReturn, now time.Time) ([]Event, error) {
	if c.Sale == nil {
		return nil, &rules.ValidationError{Fields: []rules.FieldError{{Field: "sale_id", Message: "is required"}}}
	}
	if _, ok := l.Booked[c.ReturnID]; ok {
		return nil, nil
	}
	c.Returned = make(map[uuid.UUID]quantity.Quantity, len(l.Returned))
	for k, v := range l.Returned {
		c.Returned[k] = v
	}
	c.Refunded = make(map[string]money.Money, len(l.Refunded))
	for k, v := range l.Refunded {
		c.Refunded[k] = v
	}
	events, err := Decide(State{}, c, now)
	if err != nil || len(events) == 0 {
		return nil, err
	}
	rec, ok := events[0].(ReturnRecorded)
	if !ok {
		return nil, rules.ErrUnknownCommand
	}
	return []Event{ReturnBooked{SaleID: c.Sale.ID, Return: rec}}, nil
}
