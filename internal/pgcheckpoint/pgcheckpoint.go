// Package pgcheckpoint keeps the checkpoints of the write side's policies (see
// commands/policies) in the PostgreSQL table policy_checkpoints, one row per policy.
package pgcheckpoint

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
)

// schema creates the checkpoint table; it is idempotent.
const schema = `
CREATE TABLE IF NOT EXISTS policy_checkpoints (
	name       text PRIMARY KEY,
	position   bigint NOT NULL CHECK (position >= 0),
	updated_at timestamptz NOT NULL DEFAULT now()
)`

// Store is the PostgreSQL checkpoint store; it implements policies.CheckpointStore.
type Store struct {
	pool *pgxpool.Pool
}

// New creates the table if needed and returns the store.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	if _, err := pool.Exec(ctx, schema); err != nil {
		return nil, fmt.Errorf("create policy_checkpoints: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Load returns the policy's checkpoint, eventstore.Start when it has none.
func (s *Store) Load(ctx context.Context, name string) (eventstore.Position, error) {
	var pos int64
	err := s.pool.QueryRow(ctx, `SELECT position FROM policy_checkpoints WHERE name = $1`, name).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.Start, nil
	}
	if err != nil {
		return 0, fmt.Errorf("load checkpoint %s: %w", name, err)
	}
	return eventstore.Position(pos), nil
}

// Save stores the policy's checkpoint. A checkpoint never moves backwards: a replica that
// handled fewer events cannot undo another's progress.
func (s *Store) Save(ctx context.Context, name string, pos eventstore.Position) error {
	if uint64(pos) > math.MaxInt64 {
		return fmt.Errorf("save checkpoint %s: position %d out of range", name, pos)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO policy_checkpoints (name, position) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET position = GREATEST(policy_checkpoints.position, EXCLUDED.position), updated_at = now()`,
		name, int64(pos))
	if err != nil {
		return fmt.Errorf("save checkpoint %s: %w", name, err)
	}
	return nil
}
