package tax

import (
	"errors"
	"testing"

	"github.com/odata-pos/pos/domain/money"
)

func eur(a int64) money.Money { return money.New(a, "EUR") }

var (
	inclUp   = Pricing{Inclusive: true, Rounding: money.HalfUp}
	exclUp   = Pricing{Inclusive: false, Rounding: money.HalfUp}
	exclEven = Pricing{Inclusive: false, Rounding: money.HalfEven}
)

func TestOfNet(t *testing.T) {
	tests := []struct {
		name    string
		net     int64
		rate    int64
		p       Pricing
		want    int64
		wantErr error
	}{
		{"inclusive 21%: 12.10 contains 2.10", 1210, 2100, inclUp, 210, nil},
		{"inclusive 21%: 19.99 contains 3.469 → 3.47", 1999, 2100, inclUp, 347, nil},
		{"exclusive 21%: 10.00 adds 2.10", 1000, 2100, exclUp, 210, nil},
		{"exclusive 5%: 0.50 adds 0.025 → 0.03 half up", 50, 500, exclUp, 3, nil},
		{"exclusive 5%: 0.50 adds 0.025 → 0.02 half even", 50, 500, exclEven, 2, nil},
		{"exclusive 5%: 0.70 adds 0.035 → 0.04 half even", 70, 500, exclEven, 4, nil},
		{"zero rate", 1000, 0, exclUp, 0, nil},
		{"negative net (refund) rounds symmetrically", -50, 500, exclUp, -3, nil},
		{"rate above 100%", 1000, 10001, exclUp, 0, ErrInvalidRate},
		{"negative rate", 1000, -1, exclUp, 0, ErrInvalidRate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OfNet(eur(tt.net), tt.rate, tt.p)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && got != eur(tt.want) {
				t.Fatalf("tax = %v, want %d", got, tt.want)
			}
		})
	}
}

func TestCompute(t *testing.T) {
	tests := []struct {
		name      string
		given     []Line
		discount  int64
		p         Pricing
		want      Totals
		wantLines []LineResult
		wantErr   error
	}{
		{
			name:  "exclusive, one line",
			given: []Line{{Amount: eur(1000), RateBP: 2100}},
			p:     exclUp,
			want:  Totals{eur(1000), eur(0), eur(210), eur(1210)},
		},
		{
			name:  "inclusive, tax contained",
			given: []Line{{Amount: eur(1210), RateBP: 2100}, {Amount: eur(107), RateBP: 700}},
			p:     inclUp,
			want:  Totals{eur(1317), eur(0), eur(217), eur(1317)},
		},
		{
			name:     "exclusive, line and document discount apportioned by amount after line discount",
			given:    []Line{{Amount: eur(2000), Discount: eur(200), RateBP: 2100}, {Amount: eur(900), RateBP: 700}},
			discount: 300, // weights 1800 : 900 → 200 : 100
			p:        exclUp,
			// nets 1600 and 800; tax 336 and 56
			want: Totals{eur(2900), eur(500), eur(392), eur(2792)},
			wantLines: []LineResult{
				{eur(2000), eur(200), eur(200), eur(400), eur(1600), eur(336), eur(1936)},
				{eur(900), eur(0), eur(100), eur(100), eur(800), eur(56), eur(856)},
			},
		},
		{
			name:     "inclusive with uneven document discount: shares sum exactly",
			given:    []Line{{Amount: eur(999), RateBP: 2100}, {Amount: eur(999), RateBP: 2100}, {Amount: eur(999), RateBP: 2100}},
			discount: 100, // 34 + 33 + 33
			p:        inclUp,
			want:     Totals{eur(2997), eur(100), eur(503), eur(2897)},
		},
		{
			name:     "document discount above the discounted base",
			given:    []Line{{Amount: eur(100), RateBP: 0}},
			discount: 101,
			p:        exclUp,
			wantErr:  ErrDiscountTooLarge,
		},
		{
			name:    "line discount above the line amount",
			given:   []Line{{Amount: eur(100), Discount: eur(101)}},
			p:       exclUp,
			wantErr: ErrDiscountTooLarge,
		},
		{
			name:    "currency mismatch",
			given:   []Line{{Amount: money.New(100, "USD")}},
			p:       exclUp,
			wantErr: money.ErrCurrencyMismatch,
		},
		{
			name: "empty document",
			p:    exclUp,
			want: Totals{eur(0), eur(0), eur(0), eur(0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, lines, err := Compute("EUR", tt.given, eur(tt.discount), tt.p)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got != tt.want {
				t.Fatalf("totals = %+v, want %+v", got, tt.want)
			}
			if err := got.Check(tt.p); err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, l := range lines {
				sum += l.Total.Amount
			}
			if sum != got.Total.Amount {
				t.Fatalf("Σ line totals %d ≠ total %d", sum, got.Total.Amount)
			}
			for i, w := range tt.wantLines {
				if lines[i] != w {
					t.Fatalf("line %d = %+v, want %+v", i, lines[i], w)
				}
			}
		})
	}
}

func FuzzComputeAddsUp(f *testing.F) {
	f.Add(int64(1999), int64(50), int64(333), int64(0), int64(2100), int64(77), true, false)
	f.Fuzz(func(t *testing.T, a1, d1, a2, d2, rate, doc int64, incl, even bool) {
		p := Pricing{Inclusive: incl, Rounding: money.HalfUp}
		if even {
			p.Rounding = money.HalfEven
		}
		lines := []Line{{Amount: eur(a1 % 1e9), Discount: eur(d1 % 1e9), RateBP: rate}, {Amount: eur(a2 % 1e9), Discount: eur(d2 % 1e9), RateBP: rate}}
		tot, res, err := Compute("EUR", lines, eur(doc%1e9), p)
		if err != nil {
			return
		}
		if err := tot.Check(p); err != nil {
			t.Fatal(err)
		}
		if res[0].Total.Amount+res[1].Total.Amount != tot.Total.Amount {
			t.Fatal("line totals do not add up")
		}
	})
}
