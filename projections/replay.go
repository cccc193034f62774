package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
)

// skipParked drops the parked event of name at position from the dead letters of every
// generation and adds it to the skipped list; it fills skipped with the generation's row
// (LastError: the parked error) for the log. ErrNotFailedAt when no event is parked there.
func skipParked(ctx context.Context, tx pgx.Tx, name string, position eventstore.Position, skipped *checkpoint) error {
	var schema, cause string
	// Every generation's copy goes (a rebuild beside the live one may hold it parked too).
	err := tx.QueryRow(ctx, `DELETE FROM projection_parked WHERE name = $1 AND position = $2
		RETURNING schema_name, error`, name, int64(position)).Scan(&schema, &cause)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFailedAt
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE projection_checkpoints c SET skipped = CASE WHEN $2 = ANY (skipped) THEN skipped ELSE array_append(skipped, $2) END,
		parked = (SELECT count(*) FROM projection_parked p WHERE p.schema_name = c.schema_name), updated_at = now()
		WHERE name = $1`, name, int64(position)); err != nil {
		return err
	}
	*skipped = checkpoint{Schema: schema, LastError: cause}
	return nil
}

// ReplayResult reports a ReplayParked.
type ReplayResult struct {
	// Replayed counts the parked events now applied; Parked those still parked (they failed
	// again, or wait behind one of their stream that did).
	Replayed int `json:"replayed"`
	Parked   int `json:"parked"`
}

// ReplayParked applies the parked events of every generation of name again, oldest first,
// once their cause is fixed (a new version of the projection's code, a fixed upcaster): each
// that applies now leaves the dead letters; one that fails again stays parked with its new
// error, and so do the later events of its stream. Any process may call it: it locks the
// generation's checkpoint row, so it never runs beside the worker's batches. The replayed
// events apply after later events of other streams did; each stream keeps its own order.
func (r *Runner) ReplayParked(ctx context.Context, name string) (ReplayResult, error) {
	p, err := r.projection(name)
	if err != nil {
		return ReplayResult{}, err
	}
	var res ReplayResult
	err = pgx.BeginFunc(ctx, r.cfg.Pool, func(tx pgx.Tx) error {
		cps, err := loadCheckpoints(ctx, tx, name, true)
		if err != nil {
			return err
		}
		for _, c := range cps {
			if c.Parked == 0 {
				continue
			}
			n, still, err := r.replaySchema(ctx, tx, p, c.Schema)
			if err != nil {
				return err
			}
			res.Replayed += n
			res.Parked += still
		}
		return nil
	})
	if err != nil {
		return ReplayResult{}, fmt.Errorf("replay parked events of %s: %w", name, err)
	}
	r.log.Warn("projection parked events replayed by operator", "projection", name,
		"replayed", res.Replayed, "still_parked", res.Parked)
	return res, nil
}

// replaySchema replays the parked events of one generation in tx (its checkpoint row locked).
func (r *Runner) replaySchema(ctx context.Context, tx pgx.Tx, p Projection, schema string) (replayed, still int, err error) {
	parked, err := loadParked(ctx, tx, schema, 1<<30)
	if err != nil {
		return 0, 0, err
	}
	blocked := map[string]eventstore.Position{}
	for _, pe := range parked {
		if at, ok := blocked[pe.Stream]; ok {
			if _, err := tx.Exec(ctx, `UPDATE projection_parked SET cause_position = $3, error = $4
				WHERE schema_name = $1 AND position = $2`, schema, int64(pe.Position), int64(at),
				fmt.Sprintf("an earlier event of %s (at %d) is parked", pe.Stream, at)); err != nil {
				return 0, 0, fmt.Errorf("keep %d parked: %w", pe.Position, err)
			}
			still++
			continue
		}
		evs, err := r.cfg.Store.ReadStream(ctx, pe.Stream, eventstore.Forwards, pe.Revision, 1)
		if err != nil || len(evs) != 1 || evs[0].ID != pe.EventID {
			return 0, 0, fmt.Errorf("read parked event %s@%d: %w", pe.Stream, pe.Revision, errors.Join(err, errMissingEvent))
		}
		ev := evs[0]
		ev.Position = pe.Position // as $all delivered it
		if applyErr := applySavepoint(ctx, tx, p, schema, ev); applyErr != nil {
			if _, err := tx.Exec(ctx, `UPDATE projection_parked SET error = $3, cause_position = NULL, parked_at = now()
				WHERE schema_name = $1 AND position = $2`, schema, int64(pe.Position), applyErr.Error()); err != nil {
				return 0, 0, fmt.Errorf("keep %d parked: %w", pe.Position, err)
			}
			r.log.Error("parked event still cannot be applied", "projection", p.Name(), "schema", schema,
				"position", uint64(pe.Position), "event_id", pe.EventID, "stream", pe.Stream, "error", applyErr)
			blocked[pe.Stream] = pe.Position
			still++
			continue
		}
		if _, err := tx.Exec(ctx, `DELETE FROM projection_parked WHERE schema_name = $1 AND position = $2`, schema, int64(pe.Position)); err != nil {
			return 0, 0, fmt.Errorf("unpark %d: %w", pe.Position, err)
		}
		replayed++
	}
	if _, err := tx.Exec(ctx, `UPDATE projection_checkpoints SET parked = $2, updated_at = now() WHERE schema_name = $1`, schema, still); err != nil {
		return 0, 0, fmt.Errorf("count parked events of %s: %w", schema, err)
	}
	return replayed, still, nil
}

// errMissingEvent: a parked event is not where the dead letters say (stream and revision).
var errMissingEvent = errors.New("the parked event is not in the event store")

// applySavepoint applies ev in a savepoint of tx, so a failure undoes only its own writes.
func applySavepoint(ctx context.Context, tx pgx.Tx, p Projection, schema string, ev eventstore.RecordedEvent) error {
	return pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		return p.Apply(ctx, sp, schema, []eventstore.RecordedEvent{ev})
	})
}
