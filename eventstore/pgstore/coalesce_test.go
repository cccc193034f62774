package pgstore_test

import (
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore/pgstore"
)

// reads records on w a read every every, each finding found positions, for span; it returns
// the time after the last.
func reads(w pgstore.WakePace, at time.Time, every time.Duration, found uint64, span time.Duration) time.Time {
	for end := at.Add(span); at.Before(end); {
		at = at.Add(every)
		w.Read(found, at)
	}
	return at
}

// TestWakeWindowWidensOnlyWhileTheLogGrowsFast: a woken subscription reads at most once per
// WakeCoalesce while $all grows by less than 1,000 positions a second over a quarter of a
// second (live delivery stays quick, however bursty: one sale's write is four positions at
// once), once per BusyWakeCoalesce from that rate on (each read then carries up to a tenth
// of a second of appends to every consumer), and narrows again once the load is gone.
func TestWakeWindowWidensOnlyWhileTheLogGrowsFast(t *testing.T) {
	const short, busy = pgstore.DefaultWakeCoalesce, pgstore.DefaultBusyWakeCoalesce
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	check := func(what string, w pgstore.WakePace, want time.Duration) {
		t.Helper()
		if got := w.Window(); got != want {
			t.Errorf("%s: window %s, want %s", what, got, want)
		}
	}

	w := pgstore.NewWakePace(pgstore.Options{})
	w.Read(100_000, t0) // catch-up of the history: not growth
	check("after the history", w, short)
	at := reads(w, t0, 3*time.Millisecond, 4, 2*time.Millisecond) // one sale, read 3 ms after the last read
	check("one sale read soon after another read", w, short)
	at = reads(w, at, 20*time.Millisecond, 7, time.Second) // 50 sales a second: 350 positions a second
	check("50 sales a second", w, short)
	at = reads(w, at, 10*time.Millisecond, 28, 300*time.Millisecond) // 400 sales a second
	check("400 sales a second", w, busy)
	at = reads(w, at, 100*time.Millisecond, 280, time.Second)
	check("400 sales a second read at the wide window", w, busy)
	reads(w, at, 100*time.Millisecond, 20, 500*time.Millisecond) // 200 positions a second
	check("the load gone", w, short)

	w = pgstore.NewWakePace(pgstore.Options{})
	w.Read(0, t0)
	reads(w, t0, 10*time.Millisecond, 10, 200*time.Millisecond)
	check("1,000 a second for less than the span", w, short)
	reads(w, t0.Add(200*time.Millisecond), 10*time.Millisecond, 10, 100*time.Millisecond)
	check("1,000 a second over the span", w, busy)

	for _, c := range []struct {
		name string
		opts pgstore.Options
		want time.Duration
	}{
		{"busy window set", pgstore.Options{BusyWakeCoalesce: 40 * time.Millisecond}, 40 * time.Millisecond},
		{"busy window off", pgstore.Options{BusyWakeCoalesce: -1}, short},
		{"busy window below the short one", pgstore.Options{WakeCoalesce: 30 * time.Millisecond, BusyWakeCoalesce: 20 * time.Millisecond}, 30 * time.Millisecond},
		{"coalescing off", pgstore.Options{WakeCoalesce: -1}, -1},
	} {
		w := pgstore.NewWakePace(c.opts)
		w.Read(0, t0)
		reads(w, t0, 10*time.Millisecond, 28, time.Second)
		check(c.name, w, c.want)
	}
}
