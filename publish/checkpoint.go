package publish

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/pglead"
)

// checkpointDDL creates the publisher's checkpoint table; it is idempotent.
const checkpointDDL = `
CREATE TABLE IF NOT EXISTS publish_checkpoints (
	target     text PRIMARY KEY,
	position   bigint NOT NULL CHECK (position >= 0),
	published  bigint NOT NULL DEFAULT 0,
	updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE publish_checkpoints IS 'Integration event publisher: per broker target, the $all position up to which every message was confirmed by the broker';
`

// checkpoints keeps one checkpoint per target in PostgreSQL.
type checkpoints struct{ pool *pgxpool.Pool }

// migrationLockKey serialises Migrate across processes: concurrent CREATE TABLE IF NOT EXISTS
// of one table can fail on the type's unique index.
var migrationLockKey = pglead.Key("pos.migrate", "publish_checkpoints")

// Migrate creates the checkpoint table if needed. Concurrent calls are safe.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
			return fmt.Errorf("lock publish migration: %w", err)
		}
		if _, err := tx.Exec(ctx, checkpointDDL); err != nil {
			return fmt.Errorf("create publish_checkpoints: %w", err)
		}
		return nil
	})
}

// load returns the target's checkpoint, eventstore.Start when it has none.
func (c checkpoints) load(ctx context.Context, target string) (eventstore.Position, error) {
	var pos int64
	err := c.pool.QueryRow(ctx, `SELECT position FROM publish_checkpoints WHERE target = $1`, target).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.Start, nil
	}
	if err != nil {
		return 0, fmt.Errorf("load publish checkpoint %s: %w", target, err)
	}
	return eventstore.Position(pos), nil
}

// save moves the target's checkpoint to pos (never backwards: a replica that lost its lock
// without noticing cannot undo the leader's progress) and counts n more messages published.
func (c checkpoints) save(ctx context.Context, target string, pos eventstore.Position, n int) error {
	if uint64(pos) > math.MaxInt64 {
		return fmt.Errorf("save publish checkpoint %s: position %d out of range", target, pos)
	}
	_, err := c.pool.Exec(ctx, `
		INSERT INTO publish_checkpoints (target, position, published) VALUES ($1, $2, $3)
		ON CONFLICT (target) DO UPDATE SET position = GREATEST(publish_checkpoints.position, EXCLUDED.position),
			published = publish_checkpoints.published + EXCLUDED.published, updated_at = now()`,
		target, int64(pos), n)
	if err != nil {
		return fmt.Errorf("save publish checkpoint %s: %w", target, err)
	}
	return nil
}
