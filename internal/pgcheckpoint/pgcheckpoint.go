// Package pgcheckpoint keeps named $all checkpoints in a PostgreSQL table, one row per name:
// the write side's policies (see commands/policies) in policy_checkpoints, the integration
// event publisher's targets (see publish) in publish_checkpoints.
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

// PolicyTable is the table of the policies' checkpoints.
const PolicyTable = "policy_checkpoints"

// schema creates a checkpoint table; it is idempotent.
const schema = `
CREATE TABLE IF NOT EXISTS %s (
	name       text PRIMARY KEY,
	position   bigint NOT NULL CHECK (position >= 0),
	updated_at timestamptz NOT NULL DEFAULT now()
)`

// migrationLockKey serialises table creation across processes: two concurrent CREATE TABLE IF
// NOT EXISTS of one table can fail on the catalog's unique index.
const migrationLockKey = 0x706f735f63686b70 // "pos_chkp"

// Store is the PostgreSQL checkpoint store; it implements policies.CheckpointStore.
type Store struct {
	pool  *pgxpool.Pool
	table string // quoted
}

// New creates the policies' table if needed and returns its store.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	return Open(ctx, pool, PolicyTable)
}

// Open creates the checkpoint table named table if needed and returns its store. Concurrent
// calls from several processes are safe.
func Open(ctx context.Context, pool *pgxpool.Pool, table string) (*Store, error) {
	s := &Store{pool: pool, table: pgx.Identifier{table}.Sanitize()}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLockKey)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, fmt.Sprintf(schema, s.table))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", table, err)
	}
	return s, nil
}

// Load returns the named checkpoint, eventstore.Start when it has none.
func (s *Store) Load(ctx context.Context, name string) (eventstore.Position, error) {
	var pos int64
	err := s.pool.QueryRow(ctx, `SELECT position FROM `+s.table+` WHERE name = $1`, name).Scan(&pos)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.Start, nil
	}
	if err != nil {
		return 0, fmt.Errorf("load checkpoint %s: %w", name, err)
	}
	return eventstore.Position(pos), nil
}

// Save stores the named checkpoint. A checkpoint never moves backwards: a replica that
// handled fewer events cannot undo another's progress.
func (s *Store) Save(ctx context.Context, name string, pos eventstore.Position) error {
	if uint64(pos) > math.MaxInt64 {
		return fmt.Errorf("save checkpoint %s: position %d out of range", name, pos)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO `+s.table+` AS c (name, position) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET position = GREATEST(c.position, EXCLUDED.position), updated_at = now()`,
		name, int64(pos))
	if err != nil {
		return fmt.Errorf("save checkpoint %s: %w", name, err)
	}
	return nil
}
