package publish

import (
	"context"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// lagMeter sets a target's lag gauges. It reads the head of $all at most once per poll
// interval.
type lagMeter struct {
	w      *Worker
	target string
	head   eventstore.Position
	readAt time.Time
}

// observe records the lag at the start of a batch whose first event is first; behind says
// whether more events are already waiting beyond the batch.
func (l *lagMeter) observe(ctx context.Context, first eventstore.RecordedEvent, behind bool) {
	if time.Since(l.readAt) >= l.w.cfg.PollInterval { // not per batch: one query less per batch
		if h, err := l.w.cfg.Store.HeadPosition(ctx); err == nil {
			l.head, l.readAt = h, time.Now()
		}
	}
	positions := 0.0
	if l.head > first.Position {
		positions = float64(l.head - first.Position)
	}
	if behind && positions == 0 {
		positions = 1
	}
	l.w.metrics.LagPositions.WithLabelValues(l.target).Set(positions)
	l.w.metrics.LagSeconds.WithLabelValues(l.target).Set(max(0, time.Since(first.RecordedAt).Seconds()))
}

// caughtUp records that nothing waits to be published.
func (l *lagMeter) caughtUp() {
	l.w.metrics.LagPositions.WithLabelValues(l.target).Set(0)
	l.w.metrics.LagSeconds.WithLabelValues(l.target).Set(0)
}
