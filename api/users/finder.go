package users

import (
	"context"
	"errors"
	"time"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/user"
)

// Finder implements auth.UserFinder on the write side and auth.AccessSource on the
// credential store.
type Finder struct {
	users  *commands.Users
	access AccessStore
}

// AccessStore is the credential store's side that every authenticated request reads: a
// user's access and the revocations of tokens and sessions (internal/credentials.Store).
type AccessStore interface {
	// Access returns userID's access and whether any of keys is revoked at now, in one read;
	// found is false for a user without a credential.
	Access(ctx context.Context, userID string, keys []string, now time.Time) (a commands.UserAccess, revoked, found bool, err error)
	// Revoke records key as revoked until the given time.
	Revoke(ctx context.Context, key string, until, now time.Time) error
}

// NewFinder returns a Finder over the user command handlers and the credential store.
func NewFinder(u *commands.Users, access AccessStore) *Finder {
	return &Finder{users: u, access: access}
}

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

// UserAccess implements auth.AccessSource: one primary-key read of the credential store,
// with the revocations of keys.
func (f *Finder) UserAccess(ctx context.Context, id string, keys []string, now time.Time) (auth.Access, error) {
	a, revoked, found, err := f.access.Access(ctx, id, keys, now)
	if err != nil {
		return auth.Access{}, err
	}
	if !found || !a.Synced {
		return auth.Access{}, auth.ErrUserNotFound
	}
	return auth.Access{Epoch: a.Epoch, ScopeEpoch: a.ScopeEpoch, Disabled: a.Disabled, Roles: roles(a.Roles), StoreIDs: a.StoreIDs,
		Revoked: revoked}, nil
}

// Revoke implements auth.AccessSource.
func (f *Finder) Revoke(ctx context.Context, key string, until, now time.Time) error {
	return f.access.Revoke(ctx, key, until, now)
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
