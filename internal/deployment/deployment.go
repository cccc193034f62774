package deployment

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ID returns the deployment's ID, creating it on first use: one row in table pos_deployment,
// written once. Concurrent first starts take a transaction-level advisory lock, so the table
// is created once and they all read the row that won.
func ID(ctx context.Context, db *pgxpool.Pool) (uuid.UUID, error) {
	var id uuid.UUID
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('pos_deployment'))`); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS pos_deployment (
			singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
			id uuid NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("create table: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO pos_deployment (id) VALUES ($1) ON CONFLICT DO NOTHING`, uuid.New()); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return tx.QueryRow(ctx, `SELECT id FROM pos_deployment`).Scan(&id)
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("deployment id: %w", err)
	}
	return id, nil
}

// RedisPrefix returns the prefix of every Redis key of the deployment: configured (made to
// end in ":"), else "pos:" and the first 16 hex digits of the deployment's ID.
func RedisPrefix(ctx context.Context, db *pgxpool.Pool, configured string) (string, error) {
	if configured != "" {
		if !strings.HasSuffix(configured, ":") {
			configured += ":"
		}
		return configured, nil
	}
	id, err := ID(ctx, db)
	if err != nil {
		return "", err
	}
	return "pos:" + strings.ReplaceAll(id.String(), "-", "")[:16] + ":", nil
}
