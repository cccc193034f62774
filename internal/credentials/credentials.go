// Package credentials keeps users' password hashes in PostgreSQL, beside (never inside) the
// event log: an exported or replicated event stream then never carries a secret. It
// implements commands.CredentialStore.
package credentials

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schema creates the credentials table and its access columns; it is idempotent. epoch is
// the user's security epoch and scope_epoch the version of its roles and stores (see
// commands.UserAccess); revision is the user stream's revision
// that roles, store_ids and disabled were copied from (NULL: never copied, no access).
const schema = `
CREATE TABLE IF NOT EXISTS user_credentials (
	user_id       text PRIMARY KEY,
	password_hash text NOT NULL,
	updated_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE user_credentials
	ADD COLUMN IF NOT EXISTS epoch       bigint  NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS scope_epoch bigint  NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS disabled    boolean NOT NULL DEFAULT false,
	ADD COLUMN IF NOT EXISTS roles       text[]  NOT NULL DEFAULT '{}',
	ADD COLUMN IF NOT EXISTS store_ids   text[]  NOT NULL DEFAULT '{}',
	ADD COLUMN IF NOT EXISTS revision    bigint;
CREATE TABLE IF NOT EXISTS token_revocations (
	key   text        PRIMARY KEY,
	until timestamptz NOT NULL
);
COMMENT ON TABLE token_revocations IS 'Access tokens (jti:<id>) and sessions (sid:<id>) revoked by a logout or a refresh-token '
	'reuse, until the last token they cover expires; read with every authenticated request (see internal/credentials).'`

// Store is the PostgreSQL credential store.
type Store struct {
	pool *pgxpool.Pool
}

// New creates the table if needed and returns the store.
func New(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	if _, err := pool.Exec(ctx, schema); err != nil {
		return nil, fmt.Errorf("create user_credentials: %w", err)
	}
	return &Store{pool: pool}, nil
}

// SetPasswordHash stores userID's hash, replacing any previous one and then raising the
// user's security epoch in the same statement.
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO user_credentials (user_id, password_hash) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash,
			epoch = user_credentials.epoch + 1, updated_at = now()`,
		userID, hash)
	if err != nil {
		return fmt.Errorf("set password hash: %w", err)
	}
	return nil
}

// ReplacePasswordHash stores newHash for userID only while its hash is still oldHash, without
// raising the security epoch: a rehash of the same password (see commands.Users), not a
// password change.
func (s *Store) ReplacePasswordHash(ctx context.Context, userID, oldHash, newHash string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE user_credentials SET password_hash = $3, updated_at = now()
		 WHERE user_id = $1 AND password_hash = $2`, userID, oldHash, newHash)
	if err != nil {
		return false, fmt.Errorf("replace password hash: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// PasswordHash returns userID's hash; found is false when none is stored.
func (s *Store) PasswordHash(ctx context.Context, userID string) (string, bool, error) {
	var hash string
	err := s.pool.QueryRow(ctx, `SELECT password_hash FROM user_credentials WHERE user_id = $1`, userID).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read password hash: %w", err)
	}
	return hash, true, nil
}

// Count returns how many users have a stored password.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM user_credentials`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count credentials: %w", err)
	}
	return n, nil
}
