package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
)

var (
	// ErrNotStarted is returned by Rebuild for a projection that no runner has created yet.
	ErrNotStarted = errors.New("projection not started yet")
	// ErrRebuildInProgress is returned by Rebuild while a rebuild of the projection runs.
	ErrRebuildInProgress = errors.New("rebuild already in progress")
)

// Rebuild starts a rebuild of the projection name without downtime: it creates the next
// generation of its tables (a new schema) beside the live one. The leader replays $all from
// the start into it while queries keep reading the live views, and swaps when it has caught up.
// Rebuild returns once the new generation is recorded; follow it with Status. Any replica may
// call it.
func (r *Runner) Rebuild(ctx context.Context, name string) error {
	p, err := r.projection(name)
	if err != nil {
		return err
	}
	var schema string
	err = pgx.BeginFunc(ctx, r.cfg.Pool, func(tx pgx.Tx) error {
		cps, err := loadCheckpoints(ctx, tx, name, true)
		if err != nil {
			return err
		}
		live, next := split(cps)
		switch {
		case live == nil:
			return ErrNotStarted
		case next != nil:
			return fmt.Errorf("%w (generation %s)", ErrRebuildInProgress, next.Schema)
		}
		c, err := createGeneration(ctx, tx, p, false, live.Skipped)
		schema = c.Schema
		return err
	})
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", name, err)
	}
	r.log.Info("projection rebuild requested", "projection", name, "schema", schema)
	r.wake(name)
	return nil
}

// swap makes the caught-up rebuild track t live. It pauses the live track, lets t apply
// whatever the live track had applied beyond it, then in one transaction deletes the old
// checkpoint row, marks t's live, re-points the stable views and drops the old schema.
func (l *leader) swap(ctx context.Context, t *track) error {
	r, name := l.r, l.p.Name()
	for schema, rt := range l.tracks {
		if rt.t.live {
			l.stop(schema)
		}
	}
	cps, err := loadCheckpoints(ctx, r.cfg.Pool, name, false)
	if err != nil {
		return err
	}
	live, next := split(cps)
	if live == nil || next == nil || next.Schema != t.schema || next.Status != statusRebuilding {
		return fmt.Errorf("swap %s: %w", t.schema, errFenced)
	}
	if err := l.catchUp(ctx, t, live.Position); err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, r.cfg.Pool, func(tx pgx.Tx) error {
		cps, err := loadCheckpoints(ctx, tx, name, true)
		if err != nil {
			return err
		}
		live, next := split(cps)
		if live == nil || next == nil || next.Schema != t.schema || next.Status != statusRebuilding || next.Position < live.Position {
			return fmt.Errorf("swap %s: %w", t.schema, errFenced)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM projection_checkpoints WHERE schema_name = $1`, live.Schema); err != nil {
			return fmt.Errorf("retire %s: %w", live.Schema, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE projection_checkpoints SET live = true, status = 'running', updated_at = now()
			WHERE schema_name = $1`, next.Schema); err != nil {
			return fmt.Errorf("make %s live: %w", next.Schema, err)
		}
		if err := pointViews(ctx, tx, name, next.Schema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{live.Schema}.Sanitize()+` CASCADE`); err != nil {
			return fmt.Errorf("drop %s: %w", live.Schema, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.notify.advance(name, t.pos)
	r.metrics.swaps.WithLabelValues(name).Inc()
	r.metrics.failed.WithLabelValues(name, "rebuild").Set(0)
	r.log.Info("projection rebuilt: new generation is live", "projection", name, "schema", t.schema, "position", uint64(t.pos))
	return nil
}

// catchUp applies to t (stopped) the events up to target that the paused live track had
// applied beyond t, so the swap never moves the live checkpoint backwards.
func (l *leader) catchUp(ctx context.Context, t *track, target eventstore.Position) error {
	size := l.r.cfg.BatchSize
	for t.pos < target {
		evs, err := l.r.cfg.Store.ReadAll(ctx, t.pos, size, l.p.Filter())
		if err != nil {
			return fmt.Errorf("read $all after %d: %w", t.pos, err)
		}
		to, more := target, len(evs) == size
		batch := make([]eventstore.RecordedEvent, 0, len(evs))
		for _, e := range evs {
			if e.Position > target {
				more = false
				break
			}
			if !t.skip[e.Position] {
				batch = append(batch, e)
			}
		}
		if more {
			to = evs[len(evs)-1].Position
		}
		if err := t.commit(ctx, batch, to); err != nil {
			return err
		}
	}
	return nil
}
