package pgstore_test

import (
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore/pgstore"
)

// TestWakeWindowWidensOnlyWhileTheLogGrowsFast: a woken subscription reads at most once per
// WakeCoalesce while $all grows slowly (live delivery stays quick), once per
// BusyWakeCoalesce from 1,000 positions a second (each read then carries a tenth of a
// second of appends to every consumer), and never waits when coalescing is off.
func TestWakeWindowWidensOnlyWhileTheLogGrowsFast(t *testing.T) {
	const short, busy = pgstore.DefaultWakeCoalesce, pgstore.DefaultBusyWakeCoalesce
	for _, c := range []struct {
		name   string
		opts   pgstore.Options
		found  uint64
		period time.Duration
		want   time.Duration
	}{
		{"idle", pgstore.Options{}, 0, time.Second, short},
		{"a sale now and then", pgstore.Options{}, 7, 100 * time.Millisecond, short},
		{"just under 1,000 a second", pgstore.Options{}, 9, 10 * time.Millisecond, short},
		{"1,000 a second", pgstore.Options{}, 10, 10 * time.Millisecond, busy},
		{"400 sales a second", pgstore.Options{}, 28, 10 * time.Millisecond, busy},
		{"still busy at the wide window", pgstore.Options{}, 280, 100 * time.Millisecond, busy},
		{"load gone", pgstore.Options{}, 20, 100 * time.Millisecond, short},
		{"first read (no read before it)", pgstore.Options{}, 5000, 0, short},
		{"busy window set", pgstore.Options{BusyWakeCoalesce: 40 * time.Millisecond}, 50, 10 * time.Millisecond, 40 * time.Millisecond},
		{"busy window off", pgstore.Options{BusyWakeCoalesce: -1}, 50, 10 * time.Millisecond, short},
		{"busy window below the short one", pgstore.Options{WakeCoalesce: 30 * time.Millisecond, BusyWakeCoalesce: 20 * time.Millisecond}, 50, 10 * time.Millisecond, 30 * time.Millisecond},
		{"coalescing off", pgstore.Options{WakeCoalesce: -1}, 50, 10 * time.Millisecond, -1},
	} {
		if got := c.opts.WakeWindow(c.found, c.period); got != c.want {
			t.Errorf("%s: %d positions over %s: window %s, want %s", c.name, c.found, c.period, got, c.want)
		}
	}
}
