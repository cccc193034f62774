package money

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestInBounds(t *testing.T) {
	for a, want := range map[int64]bool{0: true, MaxAmount: true, -MaxAmount: true, MaxAmount + 1: false, -MaxAmount - 1: false, math.MaxInt64: false, math.MinInt64: false} {
		if got := New(a, "EUR").InBounds(); got != want {
			t.Errorf("InBounds(%d) = %v, want %v", a, got, want)
		}
	}
	if !strings.Contains(BoundsMessage, strconv.FormatInt(MaxAmount, 10)) {
		t.Errorf("BoundsMessage %q does not name MaxAmount %d", BoundsMessage, MaxAmount)
	}
	// The headroom the doc comment promises: 9.2 × 10^7 documents at MaxAmount fit one int64 row.
	if math.MaxInt64/MaxAmount < 90_000_000 {
		t.Errorf("MaxAmount %d leaves room for only %d documents in one row", MaxAmount, math.MaxInt64/MaxAmount)
	}
}
