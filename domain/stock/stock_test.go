package stock

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

var (
	decider  = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}
	now      = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	loc, prd = id(1), id(2)
)

func id(n byte) uuid.UUID          { var u uuid.UUID; u[15] = n; return u }
func q(s string) quantity.Quantity { return quantity.MustParse(s) }
func key(m string) Key             { return Key{LocationID: loc, ProductID: prd, MovementID: m} }

func moved(kind, m, delta, onHand string) StockMoved {
	return StockMoved{LocationID: loc, ProductID: prd, Kind: kind, MovementID: m, Delta: q(delta), OnHand: q(onHand), At: now}
}

func TestDecide(t *testing.T) {
	ten := moved(KindReceipt, "r1", "10", "10")
	adjusted := moved(KindAdjustment, "a1", "-3", "7")
	adjusted.Reason = ReasonDamage
	negSale := moved(KindSale, "sale:s1:l1", "-12", "-2")
	negSale.Flags = []string{FlagNegativeStock}
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "goods received", When: Receive{Key: key("r1"), Quantity: q("10")}, Then: []Event{ten}},
		{Name: "a repeated movement id is a no-op", Given: []Event{ten}, When: Receive{Key: key("r1"), Quantity: q("10")}},
		{Name: "an adjustment carries a reason code", Given: []Event{ten}, When: Adjust{Key: key("a1"), Delta: q("-3"), Reason: ReasonDamage}, Then: []Event{adjusted}},
		{Name: "an adjustment without a known reason", Given: []Event{ten}, When: Adjust{Key: key("a1"), Delta: q("-3"), Reason: "lost"}, Err: rules.ErrValidation},
		{Name: "an adjustment below zero where the store forbids it", Given: []Event{ten}, When: Adjust{Key: key("a1"), Delta: q("-11"), Reason: ReasonTheft}, Err: ErrInsufficientStock},
		{Name: "an adjustment below zero where the store allows it", Given: []Event{ten}, When: Adjust{Key: key("a1"), Delta: q("-11"), Reason: ReasonTheft, AllowNegative: true},
			Then: []Event{StockMoved{LocationID: loc, ProductID: prd, Kind: KindAdjustment, MovementID: "a1", Delta: q("-11"), OnHand: q("-1"), Reason: ReasonTheft, At: now}}},
		{Name: "a sale below zero is never refused: it is flagged", Given: []Event{ten}, When: RecordSale{Key: key("sale:s1:l1"), Quantity: q("12")}, Then: []Event{negSale}},
		{Name: "weighed goods move in thousandths", Given: []Event{ten}, When: RecordSale{Key: key("sale:s1:l2"), Quantity: q("0.335")}, Then: []Event{moved(KindSale, "sale:s1:l2", "-0.335", "9.665")}},
		{Name: "a restocking return", Given: []Event{ten}, When: RecordReturn{Key: key("return:x:0"), Quantity: q("1")}, Then: []Event{moved(KindReturn, "return:x:0", "1", "11")}},
		{Name: "a count records the variance", Given: []Event{ten, adjusted}, When: Count{Key: key("c1"), Counted: q("6")},
			Then: []Event{StockCounted{LocationID: loc, ProductID: prd, CountID: "c1", Expected: q("7"), Counted: q("6"), Variance: q("-1"), At: now}}},
		{Name: "a transfer out beyond stock", Given: []Event{ten}, When: TransferOut{Key: key("transfer:t1"), Quantity: q("11")}, Err: ErrInsufficientStock},
		{Name: "quantities must be positive", When: Receive{Key: key("r2"), Quantity: 0}, Err: rules.ErrValidation},
		{Name: "a movement needs ids", When: Receive{Quantity: q("1")}, Err: rules.ErrValidation},
	})
}

func TestOnHandIsLastCountPlusMovementsSince(t *testing.T) {
	s := decider.Fold([]Event{
		moved(KindReceipt, "r1", "10", "10"),
		moved(KindSale, "s1", "-4", "6"),
		StockCounted{LocationID: loc, ProductID: prd, CountID: "c1", Expected: q("6"), Counted: q("5"), Variance: q("-1")},
		moved(KindReceipt, "r2", "2.5", "7.5"),
		moved(KindSale, "s2", "-1", "6.5"),
	})
	if s.LastCount != q("5") || s.SinceCount != q("1.5") || s.OnHand() != q("6.5") {
		t.Fatalf("count %s + since %s = %s", s.LastCount, s.SinceCount, s.OnHand())
	}
}
