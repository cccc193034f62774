package money

import (
	"errors"
	"testing"
)

func amounts(ms []Money) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.Amount
	}
	return out
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		amount  int64
		weights []int64
		want    []int64
		wantErr error
	}{
		{"even", 100, []int64{1, 1}, []int64{50, 50}, nil},
		{"thirds", 100, []int64{1, 1, 1}, []int64{34, 33, 33}, nil},
		{"largest remainder wins", 100, []int64{1, 2, 3}, []int64{17, 33, 50}, nil},
		{"zero weight gets nothing", 10, []int64{0, 1, 1}, []int64{0, 5, 5}, nil},
		{"negative amount", -100, []int64{1, 1, 1}, []int64{-34, -33, -33}, nil},
		{"zero amount all zero weights", 0, []int64{0, 0}, []int64{0, 0}, nil},
		{"non-zero amount all zero weights", 5, []int64{0, 0}, nil, ErrInvalidWeights},
		{"negative weight", 5, []int64{-1, 2}, nil, ErrInvalidWeights},
		{"discount over line totals", 500, []int64{1999, 999, 3}, []int64{333, 166, 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Allocate(eur(tt.amount), tt.weights)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			var sum int64
			for i, g := range got {
				sum += g.Amount
				if g.Currency != "EUR" || g.Amount != tt.want[i] {
					t.Fatalf("got %v, want %v", amounts(got), tt.want)
				}
			}
			if sum != tt.amount {
				t.Fatalf("shares sum to %d, want %d", sum, tt.amount)
			}
		})
	}
}

func TestPortionTelescopes(t *testing.T) {
	total := eur(1001)
	for _, mode := range []RoundingMode{HalfUp, HalfEven} {
		var sum, taken int64
		for _, part := range []int64{1, 2, 3, 1} { // 7 in four returns
			p, err := Portion(total, taken, part, 7, mode)
			if err != nil {
				t.Fatal(err)
			}
			sum += p.Amount
			taken += part
		}
		if sum != 1001 {
			t.Errorf("%s: portions sum to %d, want 1001", mode, sum)
		}
	}
	if _, err := Portion(total, 5, 3, 7, HalfUp); !errors.Is(err, ErrInvalidWeights) {
		t.Errorf("over-return not rejected: %v", err)
	}
}

func FuzzAllocate(f *testing.F) {
	f.Add(int64(100), int64(1), int64(2), int64(3))
	f.Fuzz(func(t *testing.T, amount, w1, w2, w3 int64) {
		shares, err := Allocate(eur(amount), []int64{w1, w2, w3})
		if err != nil {
			return
		}
		var sum int64
		for _, s := range shares {
			sum += s.Amount
		}
		if sum != amount {
			t.Fatalf("Allocate(%d, %d %d %d) sums to %d", amount, w1, w2, w3, sum)
		}
	})
}
