package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

// schemaSQL creates the checkpoint table and the audit event index. It lives in the read-model database, which exists
// whatever the event store backend, so it is created here rather than by pgstore.
//
// recorded_at keeps a B-tree although it follows position: a BRIN index in its place (tried)
// costs an insert next to nothing, but turns a narrow window ("this cashier between 14:00 and
// 14:05") from an index scan of the window into a bitmap of every event of the user ANDed
// with the BRIN ranges: 0.4 ms became 30-70 ms on a million events, growing with the log.
const schemaSQL = `
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    position    bigint      PRIMARY KEY,
    event_count bigint      NOT NULL,
    chain_hash  bytea       NOT NULL,
    mac         bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE audit_checkpoints IS 'Keyed (HMAC-SHA256) seals of the event log up to a position; see eventstore/audit.';
CREATE TABLE IF NOT EXISTS audit_event_index (
    position    bigint      PRIMARY KEY,
    type        text        NOT NULL,
    category    text        NOT NULL,
    user_id     text,
    store_id    text,
    occurred_at timestamptz,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_event_index_type ON audit_event_index (type, position);
CREATE INDEX IF NOT EXISTS audit_event_index_category ON audit_event_index (category, position);
CREATE INDEX IF NOT EXISTS audit_event_index_user ON audit_event_index (user_id, position);
CREATE INDEX IF NOT EXISTS audit_event_index_store ON audit_event_index (store_id, position);
CREATE INDEX IF NOT EXISTS audit_event_index_occurred ON audit_event_index (occurred_at, position);
CREATE INDEX IF NOT EXISTS audit_event_index_recorded ON audit_event_index (recorded_at, position);
COMMENT ON TABLE audit_event_index IS 'Filter columns of the PostgreSQL events table for the audit query layer, one row per event, '
    'maintained by the audit checkpointer in position order (not on the append path); see eventstore/audit.'`

// EnsureSchema creates the checkpoint table if it does not exist.
func EnsureSchema(ctx context.Context, db *pgxpool.Pool) error {
	// Serialise concurrent creators (CREATE TABLE IF NOT EXISTS races on the catalog).
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("audit schema: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(0x706f735f61756431)); err != nil {
		return fmt.Errorf("audit schema: %w", err)
	}
	if _, err := tx.Exec(ctx, schemaSQL); err != nil {
		return fmt.Errorf("audit schema: %w", err)
	}
	return tx.Commit(ctx)
}

// Checkpoints reads and writes audit_checkpoints.
type Checkpoints struct{ db *pgxpool.Pool }

// rowsQuerier is what reading checkpoints needs of a pool or a transaction.
type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// NewCheckpoints returns the checkpoint table of db (created by EnsureSchema).
func NewCheckpoints(db *pgxpool.Pool) *Checkpoints { return &Checkpoints{db: db} }

// Latest returns the checkpoint with the highest position, and false when there is none.
func (c *Checkpoints) Latest(ctx context.Context) (Checkpoint, bool, error) {
	cps, err := listCheckpoints(ctx, c.db, `SELECT position, event_count, chain_hash, mac FROM audit_checkpoints ORDER BY position DESC LIMIT 1`)
	if err != nil || len(cps) == 0 {
		return Checkpoint{}, false, err
	}
	return cps[0], true, nil
}

// All returns every checkpoint in position order.
func (c *Checkpoints) All(ctx context.Context) ([]Checkpoint, error) {
	return allCheckpoints(ctx, c.db)
}

// From returns the checkpoints at or after position p, in position order.
func (c *Checkpoints) From(ctx context.Context, p eventstore.Position) ([]Checkpoint, error) {
	return listCheckpoints(ctx, c.db, `SELECT position, event_count, chain_hash, mac FROM audit_checkpoints WHERE position >= $1 ORDER BY position`, int64(p))
}

// allCheckpoints returns every checkpoint that q sees, in position order.
func allCheckpoints(ctx context.Context, q rowsQuerier) ([]Checkpoint, error) {
	return listCheckpoints(ctx, q, `SELECT position, event_count, chain_hash, mac FROM audit_checkpoints ORDER BY position`)
}

func listCheckpoints(ctx context.Context, q rowsQuerier, query string, args ...any) ([]Checkpoint, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	var out []Checkpoint
	var pos, count int64
	var hash, mac []byte
	_, err = pgx.ForEachRow(rows, []any{&pos, &count, &hash, &mac}, func() error {
		h, err := chain.FromBytes(hash)
		if err != nil {
			h = chain.Hash{} // a mangled row: its MAC will not verify
		}
		out = append(out, Checkpoint{Position: eventstore.Position(pos), Count: uint64(count), Hash: h, MAC: append([]byte(nil), mac...)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	return out, nil
}

// Insert stores cp; a checkpoint already stored at its position is left alone (checkpoints
// are deterministic, so a concurrent checkpointer wrote the same one).
func (c *Checkpoints) Insert(ctx context.Context, cp Checkpoint) error {
	if cp.Position > eventstore.Position(1<<63-1) || cp.Count > 1<<63-1 {
		return errors.New("audit checkpoint out of range")
	}
	_, err := c.db.Exec(ctx, `INSERT INTO audit_checkpoints (position, event_count, chain_hash, mac)
		VALUES ($1, $2, $3, $4) ON CONFLICT (position) DO NOTHING`,
		int64(cp.Position), int64(cp.Count), cp.Hash[:], cp.MAC)
	if err != nil {
		return fmt.Errorf("insert audit checkpoint at %d: %w", cp.Position, err)
	}
	return nil
}
