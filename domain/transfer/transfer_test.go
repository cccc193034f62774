package transfer

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/stock"
)

var (
	decider = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}
	now     = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
)

func id(n byte) uuid.UUID { var u uuid.UUID; u[15] = n; return u }

func TestDecide(t *testing.T) {
	tr, from, to, p := id(1), id(2), id(3), id(4)
	lines := []Line{{ProductID: p, Quantity: quantity.FromInt(5)}}
	dispatched := TransferDispatched{TransferID: tr, FromLocationID: from, ToLocationID: to, Lines: lines, DispatchedAt: now}
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "a transfer is dispatched", When: Dispatch{tr, from, to, lines}, Then: []Event{dispatched}},
		{Name: "dispatching again is a no-op", Given: []Event{dispatched}, When: Dispatch{tr, from, to, lines}},
		{Name: "to and from must differ", When: Dispatch{tr, from, from, lines}, Err: rules.ErrValidation},
		{Name: "quantities must be positive", When: Dispatch{tr, from, to, []Line{{ProductID: p}}}, Err: rules.ErrValidation},
		{Name: "a quantity beyond quantity.Max is refused (issue 11.1)", When: Dispatch{tr, from, to, []Line{{ProductID: p, Quantity: quantity.Max + 1}}}, Err: rules.ErrValidation},
		{Name: "received", Given: []Event{dispatched}, When: Receive{}, Then: []Event{TransferReceived{tr, from, to, lines, now}}},
		{Name: "receiving twice is a no-op", Given: []Event{dispatched, TransferReceived{tr, from, to, lines, now}}, When: Receive{}},
		{Name: "receiving an unknown transfer", When: Receive{}, Err: rules.ErrNotFound},
	})
}

// TestLegsNetToZero follows the goods: source leg, in transit, destination leg always sum to
// what the source had.
func TestLegsNetToZero(t *testing.T) {
	tr, from, to, p := id(1), id(2), id(3), id(4)
	five := quantity.FromInt(5)
	src := stock.Evolve(stock.State{}, stock.StockMoved{LocationID: from, ProductID: p, MovementID: "r", Delta: quantity.FromInt(8)})
	dst := stock.State{}
	total := func(s State) quantity.Quantity {
		sum := src.OnHand() + dst.OnHand()
		for _, l := range s.InTransit() {
			sum += l.Quantity
		}
		return sum
	}
	evs, err := Decide(State{}, Dispatch{tr, from, to, []Line{{p, five}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	s := Evolve(State{}, evs[0])
	out, err := stock.Decide(src, stock.TransferOut{Key: stock.Key{LocationID: from, ProductID: p, MovementID: "transfer:" + tr.String()}, Quantity: five}, now)
	if err != nil {
		t.Fatal(err)
	}
	src = stock.Evolve(src, out[0])
	if got := total(s); got != quantity.FromInt(8) {
		t.Fatalf("in transit: total %s", got)
	}
	evs, _ = Decide(s, Receive{}, now)
	s = Evolve(s, evs[0])
	in, err := stock.Decide(dst, stock.TransferIn{Key: stock.Key{LocationID: to, ProductID: p, MovementID: "transfer:" + tr.String()}, Quantity: five}, now)
	if err != nil {
		t.Fatal(err)
	}
	dst = stock.Evolve(dst, in[0])
	if got := total(s); got != quantity.FromInt(8) || src.OnHand() != quantity.FromInt(3) || dst.OnHand() != five {
		t.Fatalf("received: total %s, source %s, destination %s", got, src.OnHand(), dst.OnHand())
	}
	if out[0].(stock.StockMoved).Delta+in[0].(stock.StockMoved).Delta != 0 {
		t.Fatal("legs do not net to zero")
	}
}
