package credentials

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/commands"
)

// Access returns userID's access as Credential does, without the hash, and whether any of
// the revocation keys (a token's "jti:<id>" and its session's "sid:<id>") is revoked at now,
// in one statement: an authenticated request pays one round trip for both checks, and a
// logout holds on every replica whether Redis is up or not. found is false for a user
// without a credential.
func (s *Store) Access(ctx context.Context, userID string, keys []string, now time.Time) (a commands.UserAccess, revoked, found bool, err error) {
	err = s.pool.QueryRow(ctx, `
		SELECT `+accessColumns+`,
		       EXISTS (SELECT FROM token_revocations r WHERE r.key = ANY($2::text[]) AND r.until > $3)
		FROM user_credentials WHERE user_id = $1`, userID, nonNil(keys), now).
		Scan(append(accessTargets(&a), &revoked)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return commands.UserAccess{}, false, false, nil
	}
	if err != nil {
		return commands.UserAccess{}, false, false, fmt.Errorf("read access: %w", err)
	}
	return a, revoked, true, nil
}

// Revoke records key as revoked until the given time (a later revocation of the same key
// keeps the later time), and drops the revocations that expired before now: the table holds
// only live ones.
func (s *Store) Revoke(ctx context.Context, key string, until, now time.Time) error {
	_, err := s.pool.Exec(ctx, `
		WITH expired AS (DELETE FROM token_revocations WHERE until <= $3 AND key <> $1)
		INSERT INTO token_revocations AS r (key, until) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET until = greatest(r.until, EXCLUDED.until)`, key, until, now)
	if err != nil {
		return fmt.Errorf("revoke %s: %w", key, err)
	}
	return nil
}
