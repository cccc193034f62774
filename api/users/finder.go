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

// Finder implements auth.UserFinder on the write side.
type Finder struct {
	users *commands.Users
}

// NewFinder returns a Finder over the user command handlers.
func NewFinder(u *commands.Users) *Finder { return &Finder{users: u} }

// UserByUsername implements auth.UserFinder.
func (f *Finder) UserByUsername(ctx context.Context, username string) (auth.User, error) {
	s, err := f.users.Lookup(ctx, username)
	return f.withHash(ctx, s, err)
}

// UserByID implements auth.UserFinder.
func (f *Finder) UserByID(ctx context.Context, id string) (auth.User, error) {
	s, err := f.users.Get(ctx, id)
	return f.withHash(ctx, s, err)
}

func (f *Finder) withHash(ctx context.Context, s user.State, err error) (auth.User, error) {
	if errors.Is(err, rules.ErrNotFound) {
		return auth.User{}, auth.ErrUserNotFound
	}
	if err != nil {
		return auth.User{}, err
	}
	hash, _, err := f.users.PasswordHash(ctx, s.ID)
	if err != nil {
		return auth.User{}, err
	}
	return auth.User{ID: s.ID, Username: s.Username, PasswordHash: hash, Roles: roles(s.Roles), StoreIDs: s.StoreIDs, Disabled: s.Disabled}, nil
}

func roles(in []string) []authz.Role {
	out := make([]authz.Role, len(in))
	for i, r := range in {
		out[i] = authz.Role(r)
	}
	return out
}
