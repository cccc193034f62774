package transfer

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// Event type names.
const (
	TypeTransferDispatched = "inventory.transfer_dispatched.v1"
	TypeTransferReceived   = "inventory.transfer_received.v1"
)

// Status of a transfer.
const (
	StatusNone      = ""
	StatusInTransit = "in_transit"
	StatusReceived  = "received"
)

// Line is a product and quantity moved.
type Line struct {
	ProductID uuid.UUID         `json:"product_id"`
	Quantity  quantity.Quantity `json:"quantity"`
}

// Event is a transfer event.
type Event interface{ EventType() string }

// TransferDispatched records goods leaving From for To.
type TransferDispatched struct {
	TransferID     uuid.UUID `json:"transfer_id"`
	FromLocationID uuid.UUID `json:"from_location_id"`
	ToLocationID   uuid.UUID `json:"to_location_id"`
	Lines          []Line    `json:"lines"`
	DispatchedAt   time.Time `json:"dispatched_at"`
}

// TransferReceived records the goods arriving at To.
type TransferReceived struct {
	TransferID     uuid.UUID `json:"transfer_id"`
	FromLocationID uuid.UUID `json:"from_location_id"`
	ToLocationID   uuid.UUID `json:"to_location_id"`
	Lines          []Line    `json:"lines"`
	ReceivedAt     time.Time `json:"received_at"`
}

// EventType returns TypeTransferDispatched.
func (TransferDispatched) EventType() string { return TypeTransferDispatched }

// EventType returns TypeTransferReceived.
func (TransferReceived) EventType() string { return TypeTransferReceived }

// Register makes the transfer events known to r.
func Register(r rules.Registry) {
	r.Register(TypeTransferDispatched, TransferDispatched{})
	r.Register(TypeTransferReceived, TransferReceived{})
}

// Command is a transfer command.
type Command interface{ isCommand() }

// Dispatch sends Lines from one location to another.
type Dispatch struct {
	TransferID     uuid.UUID
	FromLocationID uuid.UUID
	ToLocationID   uuid.UUID
	Lines          []Line
}

// Receive books the whole transfer in at its destination.
type Receive struct{}

func (Dispatch) isCommand() {}
func (Receive) isCommand()  {}

// State is a transfer as decided upon.
type State struct {
	ID             uuid.UUID
	FromLocationID uuid.UUID
	ToLocationID   uuid.UUID
	Lines          []Line
	Status         string
}

// InTransit returns what is on the way (nothing once received).
func (s State) InTransit() []Line {
	if s.Status != StatusInTransit {
		return nil
	}
	return slices.Clone(s.Lines)
}

// Decide handles transfer commands.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	switch c := c.(type) {
	case Dispatch:
		var v rules.Validator
		v.Check(c.TransferID != uuid.Nil, "id", "is required")
		v.Check(c.FromLocationID != uuid.Nil, "from_location_id", "is required")
		v.Check(c.ToLocationID != uuid.Nil, "to_location_id", "is required")
		v.Check(c.FromLocationID != c.ToLocationID, "to_location_id", "must differ from from_location_id")
		v.Check(len(c.Lines) > 0, "lines", "at least one line is required")
		for i, l := range c.Lines {
			f := fmt.Sprintf("lines[%d]", i)
			v.Check(l.ProductID != uuid.Nil, f+".product_id", "is required")
			v.Check(l.Quantity > 0, f+".quantity", "must be positive")
			v.Quantity(f+".quantity", l.Quantity)
			v.Check(!slices.ContainsFunc(c.Lines[:i], func(o Line) bool { return o.ProductID == l.ProductID }), f+".product_id", "is listed twice")
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		if s.Status != StatusNone {
			if s.FromLocationID == c.FromLocationID && s.ToLocationID == c.ToLocationID && slices.Equal(s.Lines, c.Lines) {
				return nil, nil
			}
			return nil, rules.ErrAlreadyExists
		}
		return []Event{TransferDispatched{TransferID: c.TransferID, FromLocationID: c.FromLocationID, ToLocationID: c.ToLocationID,
			Lines: slices.Clone(c.Lines), DispatchedAt: now}}, nil
	case Receive:
		switch s.Status {
		case StatusNone:
			return nil, rules.ErrNotFound
		case StatusReceived:
			return nil, nil
		}
		return []Event{TransferReceived{TransferID: s.ID, FromLocationID: s.FromLocationID, ToLocationID: s.ToLocationID,
			Lines: slices.Clone(s.Lines), ReceivedAt: now}}, nil
	}
	return nil, rules.ErrUnknownCommand
}

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case TransferDispatched:
		s = State{ID: e.TransferID, FromLocationID: e.FromLocationID, ToLocationID: e.ToLocationID, Lines: slices.Clone(e.Lines), Status: StatusInTransit}
	case TransferReceived:
		s.Status = StatusReceived
	}
	return s
}
