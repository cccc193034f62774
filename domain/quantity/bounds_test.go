package quantity

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestInBounds(t *testing.T) {
	for q, want := range map[Quantity]bool{0: true, Max: true, -Max: true, Max + 1: false, -Max - 1: false, math.MaxInt64: false} {
		if got := q.InBounds(); got != want {
			t.Errorf("InBounds(%d) = %v, want %v", q, got, want)
		}
	}
	if !strings.Contains(BoundsMessage, strconv.FormatInt(int64(Max/Scale), 10)) {
		t.Errorf("BoundsMessage %q does not name Max %s", BoundsMessage, Max)
	}
}
