package auth

import (
	"context"
	"errors"
	"fmt"

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
}

// AccessSource reads a user's current access on every authenticated request: one
// primary-key lookup in PostgreSQL, so a password change or reset, a disable, a role change
// or a store move holds on the user's next request on every replica, whether Redis is up or
// not. It returns ErrUserNotFound for a user without access.
type AccessSource interface {
	UserAccess(ctx context.Context, userID string) (Access, error)
}

// applyAccess checks the claims against the user's current access and replaces their roles
// and stores with the current ones: a disabled user, or a token of an older security epoch
// (the password changed, or the user was disabled since), is refused with ErrTokenRevoked.
func (t *Tokens) applyAccess(ctx context.Context, c *Claims) error {
	a, err := t.access.UserAccess(ctx, c.Subject)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return fmt.Errorf("%w: unknown user", ErrTokenRevoked)
	case err != nil:
		return fmt.Errorf("%w: %v", ErrAccessUnavailable, err)
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
