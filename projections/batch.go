package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/backoff"
)

// maxRetryInterval caps the backoff between the retries of a batch.
const maxRetryInterval = 5 * time.Second

// job is one batch for one generation of a projection: move the checkpoint of schema from
// from to to and apply events (which may be empty when only the checkpoint moves).
type job struct {
	p      Projection
	schema string
	from   eventstore.Position
	to     eventstore.Position
	events []eventstore.RecordedEvent
	// park, when set, parks the one event of events with this cause instead of applying it.
	park error
	// label is the track's metric label: live or rebuild.
	label string
}

// apply applies j (applyBatch), retrying a failure Config.Retries times with backoff from
// Config.RetryInterval, doubling, at most maxRetryInterval; a panic in the projection counts
// as a failure. A fenced batch and a cancelled ctx are not retried. It returns the last error;
// when it returns, no transaction of j is in flight. This is the runner's one retry policy:
// the track then bisects a batch that still fails to park its poison event (track.commit).
func (r *Runner) apply(ctx context.Context, j *job) error {
	start := time.Now()
	defer func() {
		r.metrics.batch.WithLabelValues(j.p.Name(), j.label).Observe(time.Since(start).Seconds())
	}()
	pause := r.cfg.RetryInterval
	for attempt := 0; ; attempt++ {
		err := recovered(func() error { return r.applyBatch(ctx, j) })
		if err == nil || attempt == r.cfg.Retries || errors.Is(err, errFenced) || ctx.Err() != nil {
			return err
		}
		r.log.Warn("projection batch failed; retrying", "projection", j.p.Name(), "schema", j.schema,
			"from", uint64(j.from), "to", uint64(j.to), "attempt", attempt+1, "error", err, "in", pause)
		if !backoff.Sleep(ctx, pause) {
			return err
		}
		pause = min(2*pause, maxRetryInterval)
	}
}

// recovered runs op, turning a panic into an error.
func recovered(op func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return op()
}
