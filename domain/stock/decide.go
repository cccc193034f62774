package stock

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// Command is a stock command. Every command names its location, product and a movement ID.
type Command interface{ isCommand() }

// Key identifies the stream and the movement.
type Key struct {
	LocationID uuid.UUID
	ProductID  uuid.UUID
	// MovementID is unique per movement: the client's receipt or adjustment ID, or derived
	// from the source ("sale:<sale>:<line>", "transfer:<id>").
	MovementID string
}

// Receive books goods in.
type Receive struct {
	Key
	Quantity quantity.Quantity
	UnitCost *money.Money
}

// Adjust corrects stock by Delta with a reason code.
type Adjust struct {
	Key
	Delta         quantity.Quantity
	Reason        string
	AllowNegative bool
}

// Count records a physical count.
type Count struct {
	Key
	Counted quantity.Quantity
}

// RecordSale takes sold goods out (policy); never refused, flagged when it goes negative.
// Source, when set, is the position in $all of the sale's completion: a movement the stream's
// source mark shows recorded is a no-op (see State.Recorded).
type RecordSale struct {
	Key
	Quantity      quantity.Quantity
	AllowNegative bool
	Source        uint64
}

// RecordReturn puts returned goods back (policy, restocking returns only); Source as in
// RecordSale.
type RecordReturn struct {
	Key
	Quantity quantity.Quantity
	Source   uint64
}

// TransferOut takes goods out for a transfer (first leg).
type TransferOut struct {
	Key
	Quantity      quantity.Quantity
	AllowNegative bool
}

// TransferIn books goods of a received transfer in (second leg).
type TransferIn struct {
	Key
	Quantity quantity.Quantity
}

func (Receive) isCommand()      {}
func (Adjust) isCommand()       {}
func (Count) isCommand()        {}
func (RecordSale) isCommand()   {}
func (RecordReturn) isCommand() {}
func (TransferOut) isCommand()  {}
func (TransferIn) isCommand()   {}

func keyOf(c Command) Key {
	switch c := c.(type) {
	case Receive:
		return c.Key
	case Adjust:
		return c.Key
	case Count:
		return c.Key
	case RecordSale:
		return c.Key
	case RecordReturn:
		return c.Key
	case TransferOut:
		return c.Key
	case TransferIn:
		return c.Key
	}
	return Key{}
}

func positive(q quantity.Quantity, field string) error {
	var v rules.Validator
	v.Check(q > 0, field, "must be positive")
	v.Quantity(field, q)
	return v.Err()
}

// errOnHandRange refuses a movement whose on-hand figure would overflow: the quantities are
// bounded (quantity.Max), so only some 10^9 movements of one product at one location could.
var errOnHandRange = rules.ErrOutOfRange.With("the stock on hand would overflow")

// Decide handles stock commands.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	k := keyOf(c)
	var v rules.Validator
	v.Check(k.LocationID != uuid.Nil, "location_id", "is required")
	v.Check(k.ProductID != uuid.Nil, "product_id", "is required")
	v.Check(k.MovementID != "", "id", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if s.Seen(k.MovementID) {
		return nil, nil // a retry or a policy running twice
	}
	move := StockMoved{LocationID: k.LocationID, ProductID: k.ProductID, MovementID: k.MovementID, At: now}
	onHand, err := s.LastCount.Add(s.SinceCount)
	if err != nil {
		return nil, errOnHandRange
	}
	out := func(q quantity.Quantity, allowNegative, flagOnly bool) ([]Event, error) {
		move.Delta = -q
		if move.OnHand, err = onHand.Sub(q); err != nil {
			return nil, errOnHandRange
		}
		if move.OnHand < 0 && !allowNegative {
			if !flagOnly {
				return nil, ErrInsufficientStock
			}
			move.Flags = []string{FlagNegativeStock}
		}
		return []Event{move}, nil
	}
	in := func(q quantity.Quantity) ([]Event, error) {
		move.Delta = q
		if move.OnHand, err = onHand.Add(q); err != nil {
			return nil, errOnHandRange
		}
		return []Event{move}, nil
	}
	switch c := c.(type) {
	case Receive:
		if err := positive(c.Quantity, "quantity"); err != nil {
			return nil, err
		}
		if c.UnitCost != nil {
			v.Check(c.UnitCost.Amount >= 0, "unit_cost.amount", "must not be negative")
			v.Amount("unit_cost.amount", *c.UnitCost)
			if err := v.Err(); err != nil {
				return nil, err
			}
		}
		move.Kind, move.UnitCost = KindReceipt, c.UnitCost
		return in(c.Quantity)
	case Adjust:
		v.Check(c.Delta != 0, "delta", "must not be zero")
		v.Quantity("delta", c.Delta)
		v.Check(ValidReason(c.Reason), "reason", "must be damage, theft, expired, correction or other")
		if err := v.Err(); err != nil {
			return nil, err
		}
		move.Kind, move.Reason = KindAdjustment, c.Reason
		if c.Delta > 0 {
			return in(c.Delta)
		}
		return out(-c.Delta, c.AllowNegative, false)
	case Count:
		v.Check(c.Counted >= 0, "counted", "must not be negative")
		v.Quantity("counted", c.Counted)
		if err := v.Err(); err != nil {
			return nil, err
		}
		variance, err := c.Counted.Sub(onHand)
		if err != nil {
			return nil, errOnHandRange
		}
		return []Event{StockCounted{LocationID: k.LocationID, ProductID: k.ProductID, CountID: k.MovementID,
			Expected: onHand, Counted: c.Counted, Variance: variance, At: now}}, nil
	case RecordSale:
		if err := positive(c.Quantity, "quantity"); err != nil {
			return nil, err
		}
		if s.recordedBefore(KindSale, k.MovementID, c.Source) {
			return nil, nil // a policy running twice
		}
		move.Kind, move.Source = KindSale, c.Source
		return out(c.Quantity, c.AllowNegative, true)
	case RecordReturn:
		if err := positive(c.Quantity, "quantity"); err != nil {
			return nil, err
		}
		if s.recordedBefore(KindReturn, k.MovementID, c.Source) {
			return nil, nil
		}
		move.Kind, move.Source = KindReturn, c.Source
		return in(c.Quantity)
	case TransferOut:
		if err := positive(c.Quantity, "quantity"); err != nil {
			return nil, err
		}
		move.Kind = KindTransferOut
		return out(c.Quantity, c.AllowNegative, false)
	case TransferIn:
		if err := positive(c.Quantity, "quantity"); err != nil {
			return nil, err
		}
		move.Kind = KindTransferIn
		return in(c.Quantity)
	}
	return nil, rules.ErrUnknownCommand
}
