package stock

import (
	"fmt"
	"testing"

	"github.com/odata-pos/pos/domain/internal/gwt"
)

func movedFrom(kind, m, delta, onHand string, source uint64) StockMoved {
	e := moved(kind, m, delta, onHand)
	e.Source = source
	return e
}

func TestDecideBySourceMark(t *testing.T) {
	sold := movedFrom(KindSale, "sale:s2:l1", "-1", "-1", 9)
	gwt.Run(t, decider, now, []gwt.Case[Command, Event]{
		{Name: "a sale movement carries its source position", When: RecordSale{Key: key("sale:s1:l1"), Quantity: q("1"), AllowNegative: true, Source: 7},
			Then: []Event{movedFrom(KindSale, "sale:s1:l1", "-1", "-1", 7)}},
		{Name: "a sale from before the mark was recorded", Given: []Event{sold}, When: RecordSale{Key: key("sale:s1:l1"), Quantity: q("1"), Source: 7}},
		{Name: "the mark's own movement again", Given: []Event{sold}, When: RecordSale{Key: key("sale:s2:l1"), Quantity: q("1"), Source: 9}},
		{Name: "another line of the mark's sale is booked", Given: []Event{sold}, When: RecordSale{Key: key("sale:s2:l2"), Quantity: q("2"), AllowNegative: true, Source: 9},
			Then: []Event{movedFrom(KindSale, "sale:s2:l2", "-2", "-3", 9)}},
		{Name: "a sale after the mark is booked", Given: []Event{sold}, When: RecordSale{Key: key("sale:s3:l1"), Quantity: q("1"), AllowNegative: true, Source: 12},
			Then: []Event{movedFrom(KindSale, "sale:s3:l1", "-1", "-2", 12)}},
		{Name: "the sales' mark says nothing about returns", Given: []Event{sold}, When: RecordReturn{Key: key("return:r1:0"), Quantity: q("1"), Source: 7},
			Then: []Event{movedFrom(KindReturn, "return:r1:0", "1", "0", 7)}},
		{Name: "a return from before the returns' mark was recorded", Given: []Event{movedFrom(KindReturn, "return:r2:0", "1", "1", 9)},
			When: RecordReturn{Key: key("return:r1:0"), Quantity: q("1"), Source: 7}},
		{Name: "a movement without a source leaves the decision to the command layer", Given: []Event{sold, moved(KindSale, "sale:s4:l1", "-1", "-2")},
			When: RecordSale{Key: key("sale:s1:l1"), Quantity: q("1"), AllowNegative: true, Source: 7}, Then: []Event{movedFrom(KindSale, "sale:s1:l1", "-1", "-3", 7)}},
		{Name: "a command without a source is not checked against the mark", Given: []Event{sold},
			When: RecordSale{Key: key("sale:s1:l1"), Quantity: q("1"), AllowNegative: true}, Then: []Event{moved(KindSale, "sale:s1:l1", "-1", "-2")}},
	})
}

func TestRecordedKnowsOnlyWhenTheLastMovementHasASource(t *testing.T) {
	cases := []struct {
		name            string
		given           []Event
		recorded, known bool
	}{
		{"no movement of the kind", []Event{moved(KindReceipt, "r1", "5", "5")}, false, true},
		{"only movements without a source", []Event{moved(KindSale, "sale:a:1", "-1", "-1")}, false, false},
		{"a sourced movement after them", []Event{moved(KindSale, "sale:a:1", "-1", "-1"), movedFrom(KindSale, "sale:b:1", "-1", "-2", 20)}, true, true},
		{"a movement without a source after a sourced one", []Event{movedFrom(KindSale, "sale:b:1", "-1", "-1", 20), moved(KindSale, "sale:a:1", "-1", "-2")}, false, false},
	}
	for _, c := range cases {
		recorded, known := decider.Fold(c.given).Recorded(KindSale, "sale:x:1", 10)
		if recorded != c.recorded || known != c.known {
			t.Errorf("%s: recorded %v known %v, want %v %v", c.name, recorded, known, c.recorded, c.known)
		}
	}
}

// TestTheSourceMarkSurvivesASnapshotAndStaysSmall: a snapshot keeps the marks (a repeat after
// a restart is still found) and only the IDs at the mark, however many sales were recorded.
func TestTheSourceMarkSurvivesASnapshotAndStaysSmall(t *testing.T) {
	var evs []Event
	for i := range 500 {
		evs = append(evs, movedFrom(KindSale, fmt.Sprintf("sale:s%d:l1", i), "-1", "0", uint64(10+i)),
			movedFrom(KindReturn, fmt.Sprintf("return:r%d:0", i), "1", "0", uint64(10+i)))
	}
	s := decider.Fold(evs)
	got := gwt.SnapshotRoundTrip(t, s, MarshalSnapshot, UnmarshalSnapshot)
	if evs, err := Decide(got, RecordSale{Key: key("sale:s3:l1"), Quantity: q("1"), Source: 13}, now); err != nil || len(evs) != 0 {
		t.Fatalf("a recorded sale was booked again after the round trip: %v %v", evs, err)
	}
	b, err := MarshalSnapshot(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 400 {
		t.Fatalf("snapshot of 1,000 sourced sales and returns is %d bytes: %s", len(b), b)
	}
}
