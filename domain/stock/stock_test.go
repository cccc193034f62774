package stock

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/money"
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
	huge := money.New(money.MaxAmount+1, "EUR")
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
		// Bounds (issue 11.1).
		{Name: "a receipt beyond quantity.Max is refused", When: Receive{Key: key("r2"), Quantity: quantity.Max + 1}, Err: rules.ErrValidation},
		{Name: "a receipt of quantity.Max is booked", When: Receive{Key: key("r2"), Quantity: quantity.Max}, Then: []Event{StockMoved{LocationID: loc, ProductID: prd, Kind: KindReceipt, MovementID: "r2", Delta: quantity.Max, OnHand: quantity.Max, At: now}}},
		{Name: "a unit cost beyond money.MaxAmount is refused", When: Receive{Key: key("r2"), Quantity: q("1"), UnitCost: &huge}, Err: rules.ErrValidation},
		{Name: "an adjustment beyond quantity.Max is refused", Given: []Event{ten}, When: Adjust{Key: key("a2"), Delta: -quantity.Max - 1, Reason: ReasonTheft, AllowNegative: true}, Err: rules.ErrValidation},
		{Name: "a count beyond quantity.Max is refused", When: Count{Key: key("c2"), Counted: math.MaxInt64}, Err: rules.ErrValidation},
		{Name: "a receipt whose on hand would overflow is refused", Given: []Event{moved(KindReceipt, "r0", "9223372036854775.807", "9223372036854775.807")}, When: Receive{Key: key("r2"), Quantity: q("1")}, Err: rules.ErrOutOfRange},
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

// TestSalesAreNotRememberedSoTheStateStaysSmall: a stream of many sales leaves only the
// documents' IDs in the state (and its snapshot); the command layer finds a repeated sale
// movement by its event IDs.
func TestSalesAreNotRememberedSoTheStateStaysSmall(t *testing.T) {
	evs := []Event{moved(KindReceipt, "r1", "1000", "1000")}
	for i := range 500 {
		evs = append(evs, moved(KindSale, fmt.Sprintf("sale:s%d:l1", i), "-1", "999"),
			moved(KindReturn, fmt.Sprintf("return:r%d:0", i), "1", "1000"))
	}
	s := decider.Fold(evs)
	if !s.Seen("r1") || s.Seen("sale:s3:l1") || s.Seen("return:r3:0") {
		t.Fatalf("seen: receipt %v, sale %v, return %v; want only the receipt", s.Seen("r1"), s.Seen("sale:s3:l1"), s.Seen("return:r3:0"))
	}
	b, err := MarshalSnapshot(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 400 {
		t.Fatalf("snapshot of 1,000 sales and returns is %d bytes: %s", len(b), b)
	}
}

func TestSnapshotRoundTripsTheState(t *testing.T) {
	s := decider.Fold([]Event{moved(KindReceipt, "r1", "10", "10"), moved(KindAdjustment, "a1", "-0.335", "9.665"),
		StockCounted{LocationID: loc, ProductID: prd, CountID: "c1", Expected: q("9.665"), Counted: q("9"), Variance: q("-0.665"), At: now},
		moved(KindTransferOut, "transfer:t1", "-2", "7")})
	got := gwt.SnapshotRoundTrip(t, s, MarshalSnapshot, UnmarshalSnapshot)
	if _, err := Decide(got, Receive{Key: Key{LocationID: loc, ProductID: prd, MovementID: "r1"}, Quantity: q("1")}, now); err != nil {
		t.Fatal(err)
	}
	if evs, _ := Decide(got, Receive{Key: Key{LocationID: loc, ProductID: prd, MovementID: "r1"}, Quantity: q("1")}, now); len(evs) != 0 {
		t.Fatal("a remembered receipt ID was booked again after the round trip")
	}
}
