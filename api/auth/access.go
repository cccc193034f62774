package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/odata-pos/pos/api/authz"
)

// Access is what a user may do right now: the security epoch of their credentials and their
// current roles, stores and disabled flag, as kept in PostgreSQL (commands.UserAccess).
type Access struct {
	Epoch int64
	// ScopeEpoch is the version of Roles and StoreIDs; a refresh token of an older one does
	// not rotate.
	ScopeEpoch int64
	Disabled   bool
	Roles      []authz.Role
	StoreIDs   []string
	// Revoked is true when the token or its session was revoked (a logout, a refresh token
	// presented twice).
	Revoked bool
}

// AccessSource reads a user's current access on every authenticated request, together with
// the revocation of the token and its session: one primary-key lookup in PostgreSQL, so a
// password change or reset, a disable, a role change, a store move or a logout holds on the
// user's next request on every replica, whether Redis is up or not. It returns
// ErrUserNotFound for a user without access.
type AccessSource interface {
	// UserAccess returns userID's access, Revoked set when any of keys is revoked at now.
	UserAccess(ctx context.Context, userID string, keys []string, now time.Time) (Access, error)
	// Revoke records key as revoked until the given time, for every replica.
	Revoke(ctx context.Context, key string, until, now time.Time) error
}

// applyAccess checks the claims against the user's current access and every replica's
// revocations, and replaces their roles and stores with the current ones: a revoked token or
// session, a disabled user, or a token of an older security epoch (the password changed, or
// the user was disabled since), is refused with ErrTokenRevoked.
func (t *Tokens) applyAccess(ctx context.Context, c *Claims) error {
	a, err := t.access.UserAccess(ctx, c.Subject, revocationKeys(c), t.deps.Now())
	switch {
	case errors.Is(err, ErrUserNotFound):
		return fmt.Errorf("%w: unknown user", ErrTokenRevoked)
	case err != nil:
		return fmt.Errorf("%w: %v", ErrAccessUnavailable, err)
	case a.Revoked:
		return ErrTokenRevoked
	case a.Disabled:
		return fmt.Errorf("%w: user disabled", ErrTokenRevoked)
	case a.Epoch != c.Epoch:
		return fmt.Errorf("%w: credentials changed", ErrTokenRevoked)
	}
	c.Roles, c.StoreIDs = a.Roles, a.StoreIDs
	if c.Roles == nil {
		c.Roles = []authz.Role{}
	}
	if c.StoreIDs == nil {
		c.StoreIDs = []string{}
	}
	return nil
}
