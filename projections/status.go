package projections

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
)

// lagCountCap bounds how many events Status reads to count a projection's lag.
const lagCountCap = 10_000

// ProjectionStatus describes one generation of a projection: the live one, or one being
// rebuilt beside it.
type ProjectionStatus struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
	// Schema is the generation's physical schema; queries use the stable views named Name.
	Schema string `json:"schema"`
	// Live is true for the generation queries read.
	Live bool `json:"live"`
	// Status is "running", "stopped" (no replica runs it now, or it is the old generation
	// frozen while a version bump rebuilds), "failed" or "rebuilding".
	Status string `json:"status"`
	// Position is the generation's checkpoint: the last $all position it applied (named
	// "checkpoint" in JSON, as in GET /stats).
	Position     eventstore.Position `json:"checkpoint"`
	HeadPosition eventstore.Position `json:"head_position"`
	// LagEvents counts the events the projection still has to apply (at most 10,000).
	LagEvents int `json:"lag_events"`
	// LagSeconds is the age of the oldest event it still has to apply.
	LagSeconds    float64               `json:"lag_seconds"`
	LastError     string                `json:"last_error,omitempty"`
	ErrorPosition *eventstore.Position  `json:"error_position,omitempty"`
	Skipped       []eventstore.Position `json:"skipped,omitempty"`
	// ParkedCount is how many events the generation set aside; Parked lists the first
	// parkedListCap of them, oldest first (see park.go).
	ParkedCount int           `json:"parked_count"`
	Parked      []ParkedEvent `json:"parked,omitempty"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// parkedListCap bounds how many parked events Status lists per generation.
const parkedListCap = 100

// Status reports every generation of every projection recorded in the database, with its lag
// behind the head of $all. Any replica may call it.
func (r *Runner) Status(ctx context.Context) ([]ProjectionStatus, error) {
	head, err := r.cfg.Store.HeadPosition(ctx)
	if err != nil {
		return nil, fmt.Errorf("projection status: head position: %w", err)
	}
	cps, err := loadCheckpoints(ctx, r.cfg.Pool, "", false)
	if err != nil {
		return nil, fmt.Errorf("projection status: %w", err)
	}
	held, err := r.heldLocks(ctx)
	if err != nil {
		return nil, fmt.Errorf("projection status: %w", err)
	}
	out := make([]ProjectionStatus, 0, len(cps))
	for _, c := range cps {
		s := ProjectionStatus{
			Name: c.Name, Version: c.Version, Schema: c.Schema, Live: c.Live, Status: c.Status,
			Position: c.Position, HeadPosition: head, LastError: c.LastError, ErrorPosition: c.ErrorPosition,
			Skipped: c.Skipped, ParkedCount: c.Parked, UpdatedAt: c.UpdatedAt,
		}
		if c.Parked > 0 {
			if s.Parked, err = loadParked(ctx, r.cfg.Pool, c.Schema, parkedListCap); err != nil {
				return nil, fmt.Errorf("projection status: %w", err)
			}
		}
		p, known := r.byName[c.Name]
		if c.Status != statusFailed && (!held[lockKey(c.Name)] || (known && c.Live && c.Version != p.Version())) {
			s.Status = statusStopped
		}
		if head > c.Position {
			var filter eventstore.Filter
			if known {
				filter = p.Filter()
			}
			evs, err := r.cfg.Store.ReadAll(ctx, c.Position, lagCountCap, filter)
			if err != nil {
				return nil, fmt.Errorf("projection status: read $all after %d: %w", c.Position, err)
			}
			for _, e := range evs {
				if e.Position <= head {
					s.LagEvents++
				}
			}
			if len(evs) > 0 && evs[0].Position <= head {
				s.LagSeconds = max(0, time.Since(evs[0].RecordedAt).Seconds())
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// heldLocks returns the projection leadership locks some session holds now.
func (r *Runner) heldLocks(ctx context.Context) (map[int64]bool, error) {
	rows, err := r.cfg.Pool.Query(ctx, `SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	if err != nil {
		return nil, fmt.Errorf("list advisory locks: %w", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("list advisory locks: %w", err)
	}
	held := make(map[int64]bool, len(keys))
	for _, k := range keys {
		held[k] = true
	}
	return held, nil
}

// ErrNotFailedAt is returned by Skip when the projection is neither stopped on nor has
// parked an event at that position.
var ErrNotFailedAt = errors.New("projection is not stopped on that position and has parked no event there")

// Skip lets a projection stopped on a poison event go on after it, or drops a parked event:
// the position is added to the projection's skipped list (never applied again, also not by
// rebuilds), logged, and a stopped projection restarts after it. position must be the error
// position or a parked position Status reports, so an operator can only skip the event they
// looked at. Events parked behind a skipped one stay parked until ReplayParked.
func (r *Runner) Skip(ctx context.Context, name string, position eventstore.Position) error {
	var skipped checkpoint
	err := pgx.BeginFunc(ctx, r.cfg.Pool, func(tx pgx.Tx) error {
		cps, err := loadCheckpoints(ctx, tx, name, true)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cps, func(c checkpoint) bool {
			return c.Status == statusFailed && c.ErrorPosition != nil && *c.ErrorPosition == position
		})
		if i < 0 {
			return skipParked(ctx, tx, name, position, &skipped)
		}
		skipped = cps[i]
		if _, err := tx.Exec(ctx, `UPDATE projection_checkpoints SET skipped = array_append(skipped, $2)
			WHERE name = $1 AND NOT ($2 = ANY (skipped))`, name, int64(position)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE projection_checkpoints SET position = greatest(position, $2),
			status = CASE WHEN live THEN 'running' ELSE 'rebuilding' END,
			last_error = NULL, error_position = NULL, updated_at = now()
			WHERE schema_name = $1`, skipped.Schema, int64(position))
		return err
	})
	if err != nil {
		return fmt.Errorf("skip %s at %d: %w", name, position, err)
	}
	r.log.Warn("projection event skipped by operator", "projection", name, "schema", skipped.Schema,
		"position", uint64(position), "error", skipped.LastError)
	r.metrics.skipped.WithLabelValues(name).Inc()
	r.wake(name)
	return nil
}

// ActiveSchema returns the physical schema of the live generation of name. Queries normally
// read the stable views (schema Name) instead and need not call it.
func (r *Runner) ActiveSchema(ctx context.Context, name string) (string, error) {
	var schema string
	err := r.cfg.Pool.QueryRow(ctx, `SELECT schema_name FROM projection_checkpoints WHERE name = $1 AND live`, name).Scan(&schema)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("active schema of %s: %w", name, ErrNotStarted)
	}
	if err != nil {
		return "", fmt.Errorf("active schema of %s: %w", name, err)
	}
	return schema, nil
}
