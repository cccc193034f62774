package money

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func eur(a int64) Money { return New(a, "EUR") }

func TestArithmetic(t *testing.T) {
	tests := []struct {
		name    string
		op      func() (Money, error)
		want    Money
		wantErr error
	}{
		{"add", func() (Money, error) { return eur(1999).Add(eur(1)) }, eur(2000), nil},
		{"sub to negative", func() (Money, error) { return eur(5).Sub(eur(7)) }, eur(-2), nil},
		{"add overflow", func() (Money, error) { return eur(math.MaxInt64).Add(eur(1)) }, Money{}, ErrOverflow},
		{"sub overflow", func() (Money, error) { return eur(math.MinInt64).Sub(eur(1)) }, Money{}, ErrOverflow},
		{"add negative overflow", func() (Money, error) { return eur(math.MinInt64).Add(eur(-1)) }, Money{}, ErrOverflow},
		{"currency mismatch add", func() (Money, error) { return eur(1).Add(New(1, "USD")) }, Money{}, ErrCurrencyMismatch},
		{"currency mismatch sub", func() (Money, error) { return eur(1).Sub(New(1, "USD")) }, Money{}, ErrCurrencyMismatch},
		{"neg", func() (Money, error) { return eur(3).Neg() }, eur(-3), nil},
		{"neg min overflows", func() (Money, error) { return eur(math.MinInt64).Neg() }, Money{}, ErrOverflow},
		{"mul", func() (Money, error) { return eur(250).Mul(4) }, eur(1000), nil},
		{"mul overflow", func() (Money, error) { return eur(math.MaxInt64 / 2).Mul(3) }, Money{}, ErrOverflow},
		{"percent half up", func() (Money, error) { return eur(250).PercentBP(1000, HalfUp) }, eur(25), nil},
		{"percent rounds", func() (Money, error) { return eur(105).PercentBP(5000, HalfUp) }, eur(53), nil},
		{"percent half even", func() (Money, error) { return eur(105).PercentBP(5000, HalfEven) }, eur(52), nil},
		{"sum", func() (Money, error) { return Sum("EUR", eur(1), eur(2), eur(3)) }, eur(6), nil},
		{"sum mismatch", func() (Money, error) { return Sum("EUR", eur(1), New(2, "USD")) }, Money{}, ErrCurrencyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.op()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMulDivRounding(t *testing.T) {
	tests := []struct {
		a, b, d int64
		mode    RoundingMode
		want    int64
	}{
		{5, 1, 2, HalfUp, 3},     // 2.5 → 3
		{5, 1, 2, HalfEven, 2},   // 2.5 → 2
		{7, 1, 2, HalfEven, 4},   // 3.5 → 4
		{-5, 1, 2, HalfUp, -3},   // −2.5 → −3 (away from zero)
		{-5, 1, 2, HalfEven, -2}, // −2.5 → −2
		{10, 1, 3, HalfUp, 3},    // 3.33 → 3
		{20, 1, 3, HalfEven, 7},  // 6.67 → 7
		{1, 1, -2, HalfUp, -1},   // −0.5 → −1
		{1, 1, 4, HalfUp, 0},     // 0.25 → 0
		{math.MaxInt64, math.MaxInt64, math.MaxInt64, HalfUp, math.MaxInt64},
		{math.MinInt64, 1, 1, HalfUp, math.MinInt64},
	}
	for _, tt := range tests {
		got, err := MulDiv(tt.a, tt.b, tt.d, tt.mode)
		if err != nil || got != tt.want {
			t.Errorf("MulDiv(%d,%d,%d,%s) = %d, %v; want %d", tt.a, tt.b, tt.d, tt.mode, got, err, tt.want)
		}
	}
	if _, err := MulDiv(math.MaxInt64, 2, 1, HalfUp); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflow not reported: %v", err)
	}
	if _, err := MulDiv(1, 1, 0, HalfUp); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("division by zero not reported: %v", err)
	}
}

func TestParseRoundingMode(t *testing.T) {
	for in, want := range map[string]RoundingMode{"": HalfUp, "half_up": HalfUp, "half_even": HalfEven} {
		if got, err := ParseRoundingMode(in); err != nil || got != want {
			t.Errorf("ParseRoundingMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseRoundingMode("ceil"); !errors.Is(err, ErrInvalidRounding) {
		t.Errorf("ceil accepted: %v", err)
	}
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal(eur(1999))
	if err != nil || string(b) != `{"amount":1999,"currency":"EUR"}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var m Money
	if err := json.Unmarshal([]byte(`{"amount":-5,"currency":"USD"}`), &m); err != nil || m != New(-5, "USD") {
		t.Fatalf("unmarshal = %v, %v", m, err)
	}
	if err := json.Unmarshal([]byte(`{"amount":19.99,"currency":"USD"}`), &m); err == nil {
		t.Fatal("a fractional amount was accepted")
	}
}

func TestValidate(t *testing.T) {
	for c, ok := range map[string]bool{"EUR": true, "usd": false, "EU": false, "": false, "EURO": false} {
		if err := New(1, c).Validate(); (err == nil) != ok {
			t.Errorf("Validate(%q) = %v", c, err)
		}
	}
}

func TestString(t *testing.T) {
	if s := eur(-1205).String(); s != "-12.05 EUR" {
		t.Errorf("String = %q", s)
	}
}
