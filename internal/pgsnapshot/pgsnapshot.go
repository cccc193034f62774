// Package pgsnapshot keeps the write side's aggregate snapshots (see commands.Snapshot) in the
// PostgreSQL table aggregate_snapshots, one row per stream and kind. The table is a cache:
// truncating it only makes the next loads fold more events.
package pgsnapshot

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
)

// schema creates the snapshot table; it is idempotent.
const schema = `
CREATE TABLE IF NOT EXISTS aggregate_snapshots (
	stream_id  text        NOT NULL,
	kind       text        NOT NULL,
	revision   bigint      NOT NULL CHECK (revision >= 0),
	position   bigint      NOT NULL CHECK (position >= 0),
	event_id   uuid        NOT NULL,
	state      bytea       NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (stream_id, kind)
)`

// Store is the PostgreSQL snapshot store; it implements commands.SnapshotStore.
type Store struct {
	pool *pgxpool.Pool
}

var _ commands.SnapshotStore = (*Store)(nil)

// New creates the table if needed and returns the store.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	if _, err := pool.Exec(ctx, schema); err != nil {
		return nil, fmt.Errorf("create aggregate_snapshots: %w", err)
	}
	return &Store{pool: pool}, nil
}

// LoadSnapshot returns the stream's snapshot of kind.
func (s *Store) LoadSnapshot(ctx context.Context, stream, kind string) (commands.Snapshot, bool, error) {
	snap := commands.Snapshot{Stream: stream, Kind: kind}
	var rev, pos int64
	err := s.pool.QueryRow(ctx, `SELECT revision, position, event_id, state FROM aggregate_snapshots WHERE stream_id = $1 AND kind = $2`,
		stream, kind).Scan(&rev, &pos, &snap.EventID, &snap.State)
	if errors.Is(err, pgx.ErrNoRows) {
		return commands.Snapshot{}, false, nil
	}
	if err != nil {
		return commands.Snapshot{}, false, fmt.Errorf("load snapshot of %s: %w", stream, err)
	}
	snap.Revision, snap.Position = uint64(rev), eventstore.Position(pos)
	return snap, true, nil
}

// SaveSnapshot stores snap unless the stored snapshot is of the same or a later revision.
func (s *Store) SaveSnapshot(ctx context.Context, snap commands.Snapshot) error {
	if snap.Revision > math.MaxInt64 || uint64(snap.Position) > math.MaxInt64 {
		return fmt.Errorf("save snapshot of %s: revision or position out of range", snap.Stream)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO aggregate_snapshots (stream_id, kind, revision, position, event_id, state)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (stream_id, kind) DO UPDATE
		SET revision = EXCLUDED.revision, position = EXCLUDED.position, event_id = EXCLUDED.event_id,
		    state = EXCLUDED.state, updated_at = now()
		WHERE aggregate_snapshots.revision < EXCLUDED.revision`,
		snap.Stream, snap.Kind, int64(snap.Revision), int64(snap.Position), snap.EventID, snap.State)
	if err != nil {
		return fmt.Errorf("save snapshot of %s: %w", snap.Stream, err)
	}
	return nil
}
