package returns

import (
	"errors"
	"testing"

	"github.com/odata-pos/pos/domain/sale"
)

func TestLedgerBooksReturnsOneAfterTheOther(t *testing.T) {
	s := completedSale(t)
	ret := func(n byte, q string) CreateReturn {
		return CreateReturn{ReturnID: id(n), Sale: s, ShiftID: shift.ID, ShiftOpen: true, Limits: cashier,
			Lines: []Line{{SaleLineID: breadLine, Quantity: qty(q), Restock: true}}}
	}
	var l Ledger
	book := func(c CreateReturn) ([]Event, error) {
		evs, err := Book(l, c, now)
		for _, e := range evs {
			l = EvolveLedger(l, e)
		}
		return evs, err
	}
	first, err := book(ret(40, "2"))
	if err != nil || len(first) != 1 {
		t.Fatalf("first: %v %v", first, err)
	}
	b := first[0].(ReturnBooked)
	if b.SaleID != s.ID || b.Return.ReturnID != id(40) || b.Return.Lines[0].Quantity != qty("2") {
		t.Fatalf("booked %+v", b)
	}
	if l.Returned[breadLine] != qty("2") || l.Refunded[sale.TenderCard].Amount != b.Return.Total.Amount {
		t.Fatalf("ledger %+v", l)
	}
	// The same return again books nothing.
	if again, err := book(ret(40, "2")); err != nil || len(again) != 0 {
		t.Fatalf("retry: %v %v", again, err)
	}
	// Only one of the three bread is left.
	if _, err := book(ret(41, "2")); !errors.Is(err, ErrExceedsSold) {
		t.Fatalf("over-return: %v", err)
	}
	last, err := book(ret(42, "1"))
	if err != nil || len(last) != 1 {
		t.Fatalf("last: %v %v", last, err)
	}
	// The parts refund exactly the line's total.
	pl := 0
	for _, rb := range l.Booked {
		pl += int(rb.Lines[0].Refund.Amount)
	}
	_, lines, _ := s.Priced()
	if int64(pl) != lines[0].Total.Amount {
		t.Fatalf("refunded %d of line total %d", pl, lines[0].Total.Amount)
	}
	if _, err := Book(l, CreateReturn{ReturnID: id(43)}, now); err == nil {
		t.Fatal("a booking without a sale must be refused")
	}
}
