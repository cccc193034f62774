package reports

import (
	"testing"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
)

// TestCostsAtTheBoundsDoNotWrap (issue 11.1): a line of quantity.Max at a unit cost of
// money.MaxAmount costs 10^18 minor units, which fits, but qty × cost (10^21) did not before
// the division and wrapped into a wrong cost; so did the receipt's weighted average cost.
func TestCostsAtTheBoundsDoNotWrap(t *testing.T) {
	c := money.MaxAmount
	if got, want := costOf(int64(quantity.Max), &c), int64(quantity.Max/quantity.Scale)*money.MaxAmount; got != want {
		t.Fatalf("costOf(max, max) = %d, want %d", got, want)
	}
	if got := costOf(1500, &[]int64{333}[0]); got != 500 { // 1.5 × 3.33 = 4.995 → 5.00
		t.Fatalf("costOf(1.5, 3.33) = %d, want 500", got)
	}
	if got := costOf(-1500, &[]int64{333}[0]); got != -500 {
		t.Fatalf("costOf(-1.5, 3.33) = %d, want -500 (half away from zero)", got)
	}
	q := int64(quantity.Max)
	if got := weightedCost(q, money.MaxAmount, q, money.MaxAmount-2, 2*q); got != money.MaxAmount-1 {
		t.Fatalf("weightedCost at the bounds = %d, want %d", got, money.MaxAmount-1)
	}
	if got := weightedCost(1000, 100, 1000, 101, 2000); got != 101 { // 100.5 → 101
		t.Fatalf("weightedCost(1 at 1.00, 1 at 1.01) = %d, want 101", got)
	}
}
