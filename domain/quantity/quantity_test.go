package quantity

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/odata-pos/pos/domain/money"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Quantity
		wantErr error
	}{
		{"2", 2000, nil},
		{"1.5", 1500, nil},
		{"0.125", 125, nil},
		{"-0.125", -125, nil},
		{"1.500", 1500, nil},
		{"1.5000", 1500, nil}, // trailing zeros add no precision
		{"1.5e2", 150000, nil},
		{"125e-3", 125, nil},
		{"0", 0, nil},
		{"0.0", 0, nil},
		{"1.2345", 0, ErrTooPrecise},
		{"0.0001", 0, ErrTooPrecise},
		{"1e-4", 0, ErrTooPrecise},
		{"abc", 0, ErrSyntax},
		{"", 0, ErrSyntax},
		{".", 0, ErrSyntax},
		{"1.2.3", 0, ErrSyntax},
		{"1e", 0, ErrSyntax},
		{"99999999999999999", 0, ErrRange},
		{"0.1e-400", 0, ErrSyntax},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if !errors.Is(err, tt.wantErr) || (err == nil && got != tt.want) {
			t.Errorf("Parse(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestStringCanonical(t *testing.T) {
	for q, want := range map[Quantity]string{2000: "2", 1500: "1.5", 125: "0.125", -125: "-0.125", 0: "0", 1010: "1.01"} {
		if got := q.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int64(q), got, want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var v struct {
		Q Quantity `json:"quantity"`
	}
	if err := json.Unmarshal([]byte(`{"quantity": 0.335}`), &v); err != nil || v.Q != 335 {
		t.Fatalf("unmarshal = %d, %v", v.Q, err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"quantity":0.335}` {
		t.Fatalf("marshal = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"quantity": 0.3355}`), &v); !errors.Is(err, ErrTooPrecise) {
		t.Fatalf("4 decimals accepted: %v", err)
	}
	if q, err := FromNumber(json.Number("3")); err != nil || q != 3000 {
		t.Fatalf("FromNumber = %d, %v", q, err)
	}
}

func TestMulMoney(t *testing.T) {
	price := money.New(1999, "EUR") // 19.99 per kg
	tests := []struct {
		q    string
		mode money.RoundingMode
		want int64
	}{
		{"3", money.HalfUp, 5997},
		{"0.25", money.HalfUp, 500},   // 499.75 → 500
		{"0.5", money.HalfUp, 1000},   // 999.5 → 1000
		{"0.5", money.HalfEven, 1000}, // 999.5 → 1000 (even)
		{"1.5", money.HalfEven, 2998}, // 2998.5 → 2998 (even)
		{"1.5", money.HalfUp, 2999},
	}
	for _, tt := range tests {
		got, err := MulMoney(price, MustParse(tt.q), tt.mode)
		if err != nil || got != money.New(tt.want, "EUR") {
			t.Errorf("19.99 × %s (%s) = %v, %v; want %d", tt.q, tt.mode, got, err, tt.want)
		}
	}
}

func TestArithmetic(t *testing.T) {
	if s, err := FromInt(2).Add(MustParse("0.5")); err != nil || s != 2500 {
		t.Errorf("Add = %d, %v", s, err)
	}
	if _, err := Quantity(1 << 62).Add(Quantity(1 << 62)); !errors.Is(err, ErrRange) {
		t.Errorf("overflow not detected: %v", err)
	}
	if !FromInt(3).IsWhole() || MustParse("0.5").IsWhole() {
		t.Error("IsWhole wrong")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1", "1.5", "-0.125", "1e3", "1.2345", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(q.String())
		if err != nil || back != q {
			t.Fatalf("%q → %d → %q → %d, %v", s, q, q.String(), back, err)
		}
	})
}
