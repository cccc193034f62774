package sale

import (
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/tax"
)

// byteReader hands out fuzz input bytes, zeros once exhausted.
type byteReader struct{ b []byte }

func (r *byteReader) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *byteReader) n(limit int) int64 { return int64(int(r.next())<<8|int(r.next())) % int64(limit) }

var fuzzProducts = []Product{
	{ID: id(50), SKU: "A", Active: true, Price: eur(1999), TaxCode: "H", TaxRateBP: 2100},
	{ID: id(51), SKU: "B", Active: true, Price: eur(5), TaxCode: "L", TaxRateBP: 900},
	{ID: id(52), SKU: "C", Active: true, Price: eur(333), TaxCode: "Z", TaxRateBP: 0},
	{ID: id(53), SKU: "D", Active: true, SoldByWeight: true, Price: eur(1249), TaxCode: "L", TaxRateBP: 550},
}

func (r *byteReader) command(s State) Command {
	approval := func(action string) rules.Approvals {
		if r.next()%2 == 0 {
			return manager(action)
		}
		return nil
	}
	limits := func() rules.Limits {
		if r.next()%3 == 0 {
			return rules.Limits{Unlimited: true}
		}
		return cashier
	}
	discount := func() Discount {
		switch r.next() % 3 {
		case 0:
			return Discount{}
		case 1:
			return Discount{PercentBP: r.n(10001)}
		}
		return Discount{Amount: eur(r.n(5000))}
	}
	lineID := func() uuid.UUID {
		if len(s.Lines) > 0 && r.next()%4 != 0 {
			return s.Lines[int(r.next())%len(s.Lines)].ID
		}
		return id(100 + r.next()%50)
	}
	switch r.next() % 9 {
	case 0:
		p := fuzzProducts[r.next()%4]
		q := quantity.FromInt(1 + r.n(5))
		if p.SoldByWeight || r.next()%8 == 7 {
			q = quantity.FromMilli(1 + r.n(5000))
		}
		return AddLine{LineID: id(100 + r.next()%50), Product: p, Quantity: q, Discount: discount(), Limits: limits(), Approvals: approval(rules.ActionSaleDiscount)}
	case 1:
		return RemoveLine{LineID: lineID(), Approvals: approval(rules.ActionSaleVoid)}
	case 2:
		return ApplyDiscount{LineID: lineID(), Discount: discount(), Limits: limits(), Approvals: approval(rules.ActionSaleDiscount)}
	case 3:
		return ApplyDiscount{Discount: discount(), Limits: limits(), Approvals: approval(rules.ActionSaleDiscount)}
	case 4:
		tenders := []string{TenderCash, TenderCard, TenderGiftCard, TenderStoreCredit, TenderOther}
		return AddPayment{Payment{ID: id(200 + r.next()%50), Tender: tenders[r.next()%5], Amount: eur(r.n(20000))}}
	case 5:
		return StartCheckout{Shift: openShift}
	case 6:
		return CompleteSale{ReceiptNumber: 1 + r.n(3), Shift: openShift}
	case 7:
		return VoidSale{Reason: "fuzz", Approvals: approval(rules.ActionSaleVoid)}
	}
	t, _, _ := s.Priced()
	tender := TenderCard
	if r.next()%2 == 0 {
		tender = TenderCash
	}
	return AddPayment{Payment{ID: id(200 + r.next()%50), Tender: tender, Amount: t.Due}}
}

func checkInvariants(t *testing.T, s State, evs []Event) {
	t.Helper()
	tot, lines, err := s.Priced()
	if err != nil {
		t.Fatalf("accepted state has no totals: %v", err)
	}
	tt := tax.Totals{Subtotal: tot.Subtotal, Discount: tot.Discount, Tax: tot.Tax, Total: tot.Total}
	if err := tt.Check(s.Pricing()); err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, l := range lines {
		sum += l.Total.Amount
		if l.Discount.Amount > l.Amount.Amount || l.Discount.Amount < 0 {
			t.Fatalf("line discount %v on %v", l.Discount, l.Amount)
		}
	}
	if sum != tot.Total.Amount {
		t.Fatalf("Σ line totals %d ≠ total %d", sum, tot.Total.Amount)
	}
	if tot.Change.Amount < 0 || tot.Change.Amount > tot.CashPaid.Amount {
		t.Fatalf("change %v with cash %v", tot.Change, tot.CashPaid)
	}
	if tot.NonCashPaid.Amount > tot.Total.Amount {
		t.Fatalf("non-cash %v above total %v", tot.NonCashPaid, tot.Total)
	}
	for _, e := range evs {
		if c, ok := e.(SaleCompleted); ok {
			ct := c.Totals
			if ct != tot || ct.Paid.Amount-ct.Change.Amount != ct.Total.Amount || ct.Due.Amount != 0 {
				t.Fatalf("completed totals %+v, state %+v", ct, tot)
			}
			var paid int64
			for _, p := range c.Payments {
				paid += p.Amount.Amount
			}
			if paid-ct.Change.Amount != ct.Total.Amount || c.CashIn.Amount != ct.CashPaid.Amount-ct.Change.Amount || c.CashIn.Amount < 0 {
				t.Fatalf("Σ tenders %d − change %d ≠ total %d", paid, ct.Change.Amount, ct.Total.Amount)
			}
		}
	}
}

// FuzzSaleInvariants decides random command sequences and checks after every accepted command
// that the totals add up, Σ tenders − change = total on completion, change is never negative
// nor above the cash, and that a completed or voided sale never changes.
func FuzzSaleInvariants(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 5, 6, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 100, 7, 0})
	f.Add([]byte{1, 0, 3, 0, 0, 9, 0, 2, 0, 3, 2, 1, 0, 50, 4, 0, 0, 3, 0, 100, 8, 1, 5, 6, 7, 1})
	f.Add([]byte{2, 0, 1, 0, 0, 1, 0, 0, 3, 1, 0, 0, 3, 4, 0, 1, 1, 0, 80, 8, 0, 6, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRun(t, data) })
}

// fuzzRun plays data as a command sequence, checking invariants, and returns the final state.
func fuzzRun(t *testing.T, data []byte) State {
	{
		r := &byteReader{b: data}
		mode := r.next()
		st := StoreInfo{ID: storeID, Currency: "EUR", PricesIncludeTax: mode%2 == 0, Rounding: money.HalfUp}
		if mode&2 != 0 {
			st.Rounding = money.HalfEven
		}
		evs, err := Decide(State{}, OpenSale{SaleID: saleID, Store: st, RegisterID: regID, Shift: openShift, CashierID: "c"}, now)
		if err != nil {
			t.Fatal(err)
		}
		s := Evolve(State{}, evs[0])
		for steps := 0; len(r.b) > 0 && steps < 200; steps++ {
			c := r.command(s)
			before := s
			evs, err := Decide(s, c, now)
			if err != nil {
				var re *rules.RuleError
				if !errors.As(err, &re) && !errors.Is(err, rules.ErrValidation) {
					t.Fatalf("%T: not a rule error: %v", c, err)
				}
				continue
			}
			for _, e := range evs {
				s = Evolve(s, e)
			}
			if before.Status == StatusCompleted || before.Status == StatusVoided {
				if len(evs) != 0 || !reflect.DeepEqual(before, s) {
					t.Fatalf("%s sale changed by %T: %v", before.Status, c, evs)
				}
			}
			checkInvariants(t, s, evs)
		}
		return s
	}
}

// TestFuzzSeedsComplete makes sure the generator reaches completion and void, so the fuzzer
// exercises the completed and voided invariants at all.
func TestFuzzSeedsComplete(t *testing.T) {
	if s := fuzzRun(t, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 5, 6, 0, 0}); s.Status != StatusCompleted {
		t.Fatalf("seed ends %s", s.Status)
	}
	if s := fuzzRun(t, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 100, 7, 0}); s.Status != StatusVoided {
		t.Fatalf("seed ends %s", s.Status)
	}
}
