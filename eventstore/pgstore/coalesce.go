package pgstore

import "time"

// busyEventsPerSecond is the growth of $all from which a subscription reads at most once per
// Options.BusyWakeCoalesce instead of once per Options.WakeCoalesce: about 140 one-shot sales
// a second (seven events each). Below it a read costs little next to what it delivers, and
// live delivery keeps its short delay.
const busyEventsPerSecond = 1000

// rateSpan is the least time over which a subscription measures how fast $all grows. A
// single read says little: one sale's atomic write adds four positions at once, and a read
// a few milliseconds after the one before would take that for thousands a second.
const rateSpan = 250 * time.Millisecond

// wakeWindow is the least time between two reads of a caught-up subscription that
// notifications wake, given found positions of $all (every position looked at, whatever the
// filter) appended over span (at least rateSpan). A negative result means no wait at all.
func (o Options) wakeWindow(found uint64, span time.Duration) time.Duration {
	if o.WakeCoalesce < 0 || o.BusyWakeCoalesce <= o.WakeCoalesce {
		return o.WakeCoalesce
	}
	if float64(found) >= busyEventsPerSecond*span.Seconds() {
		return o.BusyWakeCoalesce
	}
	return o.WakeCoalesce
}

// wakePace is one subscription's wake window: it adds up what its reads find and, at the
// end of every span of at least rateSpan, sets the window from the rate over that span.
type wakePace struct {
	opts   Options
	since  time.Time // start of the current span; zero before the first read
	found  uint64    // positions found in the current span
	window time.Duration
}

// newWakePace returns the pace of a subscription of a store with opts (defaults filled in).
func newWakePace(opts Options) *wakePace { return &wakePace{opts: opts, window: opts.WakeCoalesce} }

// read records a read that ended at now having found found positions. The first read only
// starts the clock: what it found is history, not growth.
func (p *wakePace) read(found uint64, now time.Time) {
	if p.since.IsZero() {
		p.since = now
		return
	}
	p.found += found
	if span := now.Sub(p.since); span >= rateSpan {
		p.window = p.opts.wakeWindow(p.found, span)
		p.since, p.found = now, 0
	}
}
