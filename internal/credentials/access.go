package credentials

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/commands"
)

// SetAccess stores userID's access as of the user stream's revision, unless the row already
// holds that revision or a newer one. Becoming disabled raises the security epoch, so a later
// enable does not bring the sessions of before the disable back; other roles or stores raise
// the scope epoch (not on the first copy, which only fills the row).
func (s *Store) SetAccess(ctx context.Context, userID string, revision uint64, a commands.UserAccess) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE user_credentials SET
			epoch = epoch + CASE WHEN $4 AND NOT disabled THEN 1 ELSE 0 END,
			scope_epoch = scope_epoch + CASE WHEN revision IS NOT NULL AND (roles <> $2 OR store_ids <> $3) THEN 1 ELSE 0 END,
			disabled = $4, roles = $2, store_ids = $3, revision = $5, updated_at = now()
		WHERE user_id = $1 AND (revision IS NULL OR revision < $5)`,
		userID, nonNil(a.Roles), nonNil(a.StoreIDs), a.Disabled, int64(revision)) //nolint:gosec // stream revisions stay far below 2^63
	if err != nil {
		return fmt.Errorf("set access: %w", err)
	}
	return nil
}

// Credential returns userID's hash and access in one read; found is false when none is
// stored.
func (s *Store) Credential(ctx context.Context, userID string) (commands.Credential, bool, error) {
	var c commands.Credential
	err := s.pool.QueryRow(ctx, `SELECT password_hash, `+accessColumns+` FROM user_credentials WHERE user_id = $1`, userID).
		Scan(append([]any{&c.PasswordHash}, accessTargets(&c.Access)...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return commands.Credential{}, false, nil
	}
	if err != nil {
		return commands.Credential{}, false, fmt.Errorf("read credential: %w", err)
	}
	return c, true, nil
}

// accessColumns select a user's access from user_credentials, scanned by accessTargets; a
// user whose revision is NULL was never copied from its stream (not Synced).
const accessColumns = `epoch, scope_epoch, disabled, roles, store_ids, revision IS NOT NULL`

// accessTargets are the scan targets of accessColumns in a.
func accessTargets(a *commands.UserAccess) []any {
	return []any{&a.Epoch, &a.ScopeEpoch, &a.Disabled, &a.Roles, &a.StoreIDs, &a.Synced}
}

// UserIDs returns every user with stored credentials.
func (s *Store) UserIDs(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT user_id FROM user_credentials ORDER BY user_id`)
	if err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	return ids, nil
}

// nonNil returns s, or an empty slice for nil (the columns are NOT NULL).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
