package projections

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/odata-pos/pos/eventstore"
)

// applyBatch applies one job in one transaction: move the checkpoint from j.from to j.to if it
// is still at j.from (the fence against a replica that lost its lock unawares, and against a
// skip or a swap by someone else; the UPDATE also locks the row until commit), apply the
// events, commit. Events of a stream with a parked event are parked behind it instead of
// applied, and a job with park set parks its one event (see park.go). A crash anywhere before
// the commit leaves rows, parked events and checkpoint as they were. Moving the checkpoint
// first, in the statement that checks it, costs a batch one statement rather than a
// SELECT … FOR UPDATE before the writes and an UPDATE after them.
func (r *Runner) applyBatch(ctx context.Context, j *job) error {
	return pgx.BeginFunc(ctx, r.cfg.Pool, func(tx pgx.Tx) error {
		var parked int
		err := tx.QueryRow(ctx, `UPDATE projection_checkpoints SET position = $3, updated_at = now()
			WHERE schema_name = $1 AND position = $2 AND status <> 'failed' RETURNING parked`,
			j.schema, int64(j.from), int64(j.to)).Scan(&parked)
		if errors.Is(err, pgx.ErrNoRows) {
			return fenced(ctx, tx, j)
		}
		if err != nil {
			return fmt.Errorf("move checkpoint %s to %d: %w", j.schema, j.to, err)
		}
		events, park, err := splitParked(ctx, tx, j.schema, parked, j.events)
		if err != nil {
			return err
		}
		if j.park != nil && len(events) == 1 { // not already parked behind its stream
			if err := checkParkLimit(ctx, tx, j.schema, r.cfg.ParkLimit); err != nil {
				return err
			}
			park, events = append(park, parking{ev: events[0], cause: j.park.Error()}), nil
		}
		if len(events) > 0 {
			if err := j.p.Apply(ctx, tx, j.schema, events); err != nil {
				return fmt.Errorf("apply %d events (%d..%d) to %s: %w", len(events),
					events[0].Position, events[len(events)-1].Position, j.schema, err)
			}
		}
		if len(park) == 0 {
			return nil
		}
		if err := insertParked(ctx, tx, j.schema, j.p.Name(), park); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE projection_checkpoints SET parked = parked + $2
			WHERE schema_name = $1 RETURNING parked`, j.schema, len(park)).Scan(&parked); err != nil {
			return fmt.Errorf("count parked events of %s: %w", j.schema, err)
		}
		r.metrics.parked.WithLabelValues(j.p.Name(), j.label).Set(float64(parked))
		for _, p := range park {
			if p.causeAt != nil {
				r.log.Warn("projection parked an event behind an earlier parked event of its stream",
					"projection", j.p.Name(), "schema", j.schema, "position", uint64(p.ev.Position), "event_id", p.ev.ID,
					"stream", p.ev.Stream, "type", p.ev.Type, "parked_behind", uint64(*p.causeAt))
			}
		}
		return nil
	})
}

// fenced explains why the checkpoint of j did not move: errFenced with where the row is, or
// the error reading it.
func fenced(ctx context.Context, tx pgx.Tx, j *job) error {
	var pos int64
	var status string
	err := tx.QueryRow(ctx, `SELECT position, status FROM projection_checkpoints WHERE schema_name = $1`, j.schema).Scan(&pos, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("apply to %s: %w", j.schema, errFenced)
	}
	if err != nil {
		return fmt.Errorf("read checkpoint %s: %w", j.schema, err)
	}
	return fmt.Errorf("apply to %s from %d: checkpoint is at %d (%s): %w", j.schema, j.from, pos, status, errFenced)
}

// transient reports whether err is worth trying again later as it is (the database or the
// event store is unreachable, a deadlock, a shutdown) rather than a sign of a poison event.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, eventstore.ErrUnavailable) || pgconn.Timeout(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", "40", "53", "57", "58": // connection, rollback (deadlock), resources, operator, system
			return true
		}
		return pgErr.Code == "55P03" // lock not available
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr)
}
