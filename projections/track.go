package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

var (
	// errCaughtUp ends a rebuild track that has reached the head of $all: time to swap.
	errCaughtUp = errors.New("caught up")
	// errFailed ends a track stopped on a poison event (already recorded).
	errFailed = errors.New("projection stopped on an event it cannot apply")
)

// track feeds one generation (schema) of a projection from its checkpoint: the live one, or
// the one being rebuilt. It is driven by one goroutine, which applies its batches itself.
type track struct {
	r      *Runner
	p      Projection
	schema string
	live   bool
	pos    eventstore.Position // committed checkpoint
	// seen is how far a live track known to be idle has looked (at or past pos): nothing its
	// filter selects lies in (pos, seen], so waiters of this process are told seen already;
	// idleCommitAt is when an idle commit last moved pos.
	seen         eventstore.Position
	idleCommitAt time.Time
	skip         map[eventstore.Position]bool

	lagCheckedAt time.Time
	// appliedAt is when the newest event this track applied was recorded; behindSince is when
	// it was last seen caught up with the head (zero while it is): the lag in seconds.
	appliedAt, behindSince time.Time
}

func newTrack(r *Runner, p Projection, cp checkpoint) *track {
	t := &track{r: r, p: p, schema: cp.Schema, live: cp.Live, pos: cp.Position, skip: map[eventstore.Position]bool{}}
	for _, s := range cp.Skipped {
		t.skip[s] = true
	}
	return t
}

func (t *track) label() string {
	if t.live {
		return "live"
	}
	return "rebuild"
}

// run subscribes from the checkpoint and applies batches of up to BatchSize events, each
// flushed when full or BatchWait after its first event, until ctx is done or an error stops
// it. A rebuild track returns errCaughtUp once nothing is left to apply.
func (t *track) run(ctx context.Context) error {
	cfg := t.r.cfg
	sub, err := cfg.Store.SubscribeAll(ctx, t.pos, t.p.Filter())
	if err != nil {
		return fmt.Errorf("subscribe %s from %d: %w", t.schema, t.pos, err)
	}
	defer func() { _ = sub.Close() }()
	t.r.metrics.position.WithLabelValues(t.p.Name(), t.label()).Set(float64(t.pos))

	batch := make([]eventstore.RecordedEvent, 0, cfg.BatchSize)
	last, pending := t.pos, false
	wait := time.NewTimer(time.Hour)
	wait.Stop()
	defer wait.Stop()
	idle := time.NewTicker(cfg.IdleInterval)
	defer idle.Stop()
	through, _ := sub.(interface{ Through() eventstore.Position })
	flush := func() error {
		wait.Stop()
		err := t.commit(ctx, batch, last)
		clear(batch) // let the events go; the batch is applied
		batch, pending = batch[:0], false
		return err
	}
	for {
		select {
		case ev, ok := <-sub.Events():
			if !ok {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("subscription of %s ended: %w", t.schema, sub.Err())
			}
			if ev.Position <= last {
				continue
			}
			last = ev.Position
			if !t.skip[ev.Position] {
				batch = append(batch, ev)
			}
			if !pending {
				pending = true
				wait.Reset(cfg.BatchWait)
			}
			if len(batch) >= cfg.BatchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		case <-wait.C:
			if err := flush(); err != nil {
				return err
			}
		case <-idle.C:
			if pending {
				continue
			}
			var caughtUp bool
			var err error
			if through != nil && t.live {
				seen := through.Through() // before looking at the channel: see idleThrough
				err = t.idleThrough(ctx, seen, len(sub.Events()) == 0)
			} else {
				caughtUp, err = t.idle(ctx)
			}
			if err != nil {
				return err
			}
			last = max(last, t.pos)
			if caughtUp && !t.live {
				return errCaughtUp
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// idle checks, with no batch pending, whether the track has caught up with the head of $all.
// When no event its filter selects lies between the checkpoint and the head, it moves the
// checkpoint to the head, so lag reads 0 and WaitFor returns for positions of events this
// projection does not care about.
func (t *track) idle(ctx context.Context) (bool, error) {
	store := t.r.cfg.Store
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return false, fmt.Errorf("head position: %w", err)
	}
	t.setLag(head)
	if head <= t.pos {
		return true, nil
	}
	next, err := store.ReadAll(ctx, t.pos, 1, t.p.Filter())
	if err != nil {
		return false, fmt.Errorf("read $all after %d: %w", t.pos, err)
	}
	if len(next) > 0 && next[0].Position <= head {
		return false, nil // the subscription has not delivered it yet
	}
	if err := t.commit(ctx, nil, head); err != nil {
		return false, err
	}
	t.setLag(head)
	return true, nil
}

// idleThrough is idle for a live track fed by a subscription that tells how far it has looked
// (eventstore/fanout's): with nothing pending and the subscription's events all taken
// (drained, read after through), nothing the filter selects lies between the checkpoint and
// through, so the checkpoint may move there without a read of the store. Waiters of this
// process are told at once; the checkpoint itself is committed at most once per
// IdleCommitInterval, so an idle projection does not cost a transaction per tick while the
// log moves. The lag is refreshed at most once a second, against the head the runner's tracks
// share (Runner.lagHead).
func (t *track) idleThrough(ctx context.Context, through eventstore.Position, drained bool) error {
	if drained && through > max(t.pos, t.seen) {
		t.seen = through
		t.r.notify.advance(t.p.Name(), through)
	}
	if t.seen > t.pos && time.Since(t.idleCommitAt) >= t.r.cfg.IdleCommitInterval {
		if err := t.commit(ctx, nil, t.seen); err != nil {
			return err
		}
		t.idleCommitAt = time.Now()
	}
	if time.Since(t.lagCheckedAt) > time.Second {
		head, err := t.r.lagHead.HeadPosition(ctx)
		if err != nil {
			return fmt.Errorf("head position: %w", err)
		}
		t.setLag(head)
	}
	return nil
}

func (t *track) setLag(head eventstore.Position) {
	lag, seconds, now := 0.0, 0.0, time.Now()
	if at := max(t.pos, t.seen); head > at {
		lag = float64(head - at)
		if t.behindSince.IsZero() {
			t.behindSince = now
		}
		seconds = lagSeconds(now, t.appliedAt, t.behindSince)
	} else {
		t.behindSince = time.Time{}
	}
	t.r.metrics.lag.WithLabelValues(t.p.Name(), t.label()).Set(lag)
	t.r.metrics.lagSeconds.WithLabelValues(t.p.Name(), t.label()).Set(seconds)
	t.lagCheckedAt = now
}

// commit applies events and moves the checkpoint to `to` in one transaction. When that fails
// after the retries of Runner.apply for a reason that is not transient, it applies the events one
// at a time to find the poison event and parks it (park.go), so the rest goes on; when it
// cannot be parked (ParkLimit reached) it records the failure and returns errFailed.
func (t *track) commit(ctx context.Context, events []eventstore.RecordedEvent, to eventstore.Position) error {
	err := t.r.apply(ctx, &job{p: t.p, schema: t.schema, from: t.pos, to: to, events: events, label: t.label()})
	if err == nil {
		if len(events) > 0 {
			t.appliedAt = events[len(events)-1].RecordedAt
		}
		t.advance(ctx, to, len(events))
		return nil
	}
	if ctx.Err() != nil || errors.Is(err, errFenced) || transient(err) {
		return err
	}
	if len(events) > 1 {
		for _, ev := range events {
			if err := t.commit(ctx, []eventstore.RecordedEvent{ev}, ev.Position); err != nil {
				return err
			}
		}
		if t.pos == to {
			return nil
		}
		return t.commit(ctx, nil, to)
	}
	at := to
	if len(events) == 1 {
		at = events[0].Position
		perr := t.park(ctx, events[0], err)
		if perr == nil {
			return nil
		}
		if ctx.Err() != nil || errors.Is(perr, errFenced) || transient(perr) {
			return perr
		}
		if !errors.Is(perr, errParkLimit) {
			err = fmt.Errorf("%w (and parking it failed: %w)", err, perr)
		}
	}
	t.fail(ctx, at, err)
	return errFailed
}

func (t *track) advance(ctx context.Context, to eventstore.Position, n int) {
	t.pos = to
	name, label := t.p.Name(), t.label()
	t.r.metrics.position.WithLabelValues(name, label).Set(float64(to))
	t.r.metrics.events.WithLabelValues(name, label).Add(float64(n))
	if t.live {
		t.r.notify.advance(name, to)
	}
	if time.Since(t.lagCheckedAt) > time.Second {
		if head, err := t.r.lagHead.HeadPosition(ctx); err == nil {
			t.setLag(head)
		}
	}
}

func (t *track) fail(ctx context.Context, at eventstore.Position, cause error) {
	name, label := t.p.Name(), t.label()
	t.r.metrics.failed.WithLabelValues(name, label).Set(1)
	t.r.metrics.poison.WithLabelValues(name, label).Inc()
	t.r.log.Error("projection stopped on an event it cannot apply; fix the code and restart, or skip it",
		"projection", name, "schema", t.schema, "position", uint64(at), "error", cause)
	if err := t.r.recordFailure(ctx, t.schema, at, cause); err != nil {
		t.r.log.Error("record projection failure", "projection", name, "error", err)
	}
}

// lagSeconds is how stale a track behind the head is at now: the age of the newest event it
// applied, or, before it applied any, how long it has been behind — whichever is shorter, so
// that a track that just woke up on old events does not read as hours behind.
func lagSeconds(now, appliedAt, behindSince time.Time) float64 {
	since := behindSince
	if !appliedAt.IsZero() && appliedAt.After(since) {
		since = appliedAt
	}
	return max(0, now.Sub(since).Seconds())
}
