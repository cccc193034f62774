package users

import (
	"context"
	"errors"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/user"
)

// Finder implements auth.UserFinder on the write side and auth.AccessSource on the
// credential store.
type Finder struct {
	users *commands.Users
}

// NewFinder returns a Finder over the user command handlers.
func NewFinder(u *commands.Users) *Finder { return &Finder{users: u} }

// UserByUsername implements auth.UserFinder.
func (f *Finder) UserByUsername(ctx context.Context, username string) (auth.User, error) {
	s, err := f.users.Lookup(ctx, username)
	return f.withCredential(ctx, s, err)
}

// UserByID implements auth.UserFinder.
func (f *Finder) UserByID(ctx context.Context, id string) (auth.User, error) {
	s, err := f.users.Get(ctx, id)
	return f.withCredential(ctx, s, err)
}

// UserAccess implements auth.AccessSource: one primary-key read of the credential store.
func (f *Finder) UserAccess(ctx context.Context, id string) (auth.Access, error) {
	c, found, err := f.users.Credential(ctx, id)
	if err != nil {
		return auth.Access{}, err
	}
	if !found || !c.Access.Synced {
		return auth.Access{}, auth.ErrUserNotFound
	}
	return auth.Access{Epoch: c.Access.Epoch, ScopeEpoch: c.Access.ScopeEpoch, Disabled: c.Access.Disabled, Roles: roles(c.Access.Roles), StoreIDs: c.Access.StoreIDs}, nil
}

// withCredential completes the user state s with its password hash and security epoch, read
// together; the user counts as disabled when either the stream or the credential store says
// so.
func (f *Finder) withCredential(ctx context.Context, s user.State, err error) (auth.User, error) {
	if errors.Is(err, rules.ErrNotFound) {
		return auth.User{}, auth.ErrUserNotFound
	}
	if err != nil {
		return auth.User{}, err
	}
	c, _, err := f.users.Credential(ctx, s.ID)
	if err != nil {
		return auth.User{}, err
	}
	return auth.User{ID: s.ID, Username: s.Username, PasswordHash: c.PasswordHash, Roles: roles(s.Roles), StoreIDs: s.StoreIDs,
		Disabled: s.Disabled || c.Access.Disabled, Epoch: c.Access.Epoch, ScopeEpoch: c.Access.ScopeEpoch}, nil
}

func roles(in []string) []authz.Role {
	out := make([]authz.Role, len(in))
	for i, r := range in {
		out[i] = authz.Role(r)
	}
	return out
}

// ReplacePasswordHash implements auth.HashReplacer.
func (f *Finder) ReplacePasswordHash(ctx context.Context, userID, oldHash, newHash string) (bool, error) {
	return f.users.ReplacePasswordHash(ctx, userID, oldHash, newHash)
}
