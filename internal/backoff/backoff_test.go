package backoff_test

import (
	"context"
	"testing"
	"time"

	"github.com/odata-pos/pos/internal/backoff"
)

func TestSleepEndsWithItsContext(t *testing.T) {
	if !backoff.Sleep(context.Background(), time.Millisecond) {
		t.Error("Sleep with a live context reported it ended")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if backoff.Sleep(ctx, time.Hour) {
		t.Error("Sleep with a cancelled context reported it slept")
	}
}

func TestJitterStaysInItsRange(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 2, 3, time.Millisecond, 5 * time.Second} {
		for range 200 {
			if j := backoff.Jitter(d); j < d/2 || j > d {
				t.Fatalf("Jitter(%v) = %v, outside [%v, %v]", d, j, d/2, d)
			}
		}
	}
}

func TestExpDoublesUpToItsCeiling(t *testing.T) {
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{-1, 50 * time.Millisecond}, {0, 50 * time.Millisecond}, {1, 100 * time.Millisecond}, {3, 400 * time.Millisecond},
		{7, 5 * time.Second}, {40, 5 * time.Second}, {1 << 20, 5 * time.Second}} {
		if got := backoff.Exp(50*time.Millisecond, c.n, 5*time.Second); got != c.want {
			t.Errorf("Exp(50ms, %d, 5s) = %v, want %v", c.n, got, c.want)
		}
	}
}
