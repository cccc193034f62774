package pgstore

import "time"

// busyEventsPerSecond is the growth of $all from which a subscription reads at most once per
// Options.BusyWakeCoalesce instead of once per Options.WakeCoalesce: about 140 one-shot sales
// a second (seven events each). Below it a read costs little next to what a read at every
// WakeCoalesce delivers, and live delivery keeps its short delay.
const busyEventsPerSecond = 1000

// wakeWindow is the least time between two reads of a caught-up subscription that
// notifications wake, given what its last read found: found positions of $all (every
// position looked at, whatever the filter) appended over period, the time since the read
// before it began. A negative result means no wait at all.
func (o Options) wakeWindow(found uint64, period time.Duration) time.Duration {
	if o.WakeCoalesce < 0 || o.BusyWakeCoalesce <= o.WakeCoalesce || period <= 0 {
		return o.WakeCoalesce
	}
	if float64(found) >= busyEventsPerSecond*period.Seconds() {
		return o.BusyWakeCoalesce
	}
	return o.WakeCoalesce
}
