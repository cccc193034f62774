package commands

import (
	"context"
	"fmt"

	"github.com/odata-pos/pos/domain/user"
)

// UserAccess is what a user may do right now, kept in PostgreSQL beside the password hash so
// that every request of every session, on every replica, can check it with one primary-key
// lookup whether Redis is up or not. Epoch is the user's security epoch: it grows with every
// password change or reset and every disable, and an access token or refresh token of an
// older epoch is refused. Roles, StoreIDs and Disabled are the user's current ones (copied
// from the user stream after each user command, before the command is acknowledged);
// ScopeEpoch grows when the roles or stores change, and a refresh token of an older one is
// refused (the user logs in again under the new powers).
type UserAccess struct {
	Epoch      int64
	ScopeEpoch int64
	Disabled   bool
	Roles      []string
	StoreIDs   []string
	// Synced is false for a user whose stream was never copied here (a registration that
	// stopped between the password hash and its event): such a user has no access.
	Synced bool
}

// Credential is a user's password hash and access, read together in one statement so that a
// login verifying the hash issues tokens of the epoch that hash belongs to.
type Credential struct {
	PasswordHash string
	Access       UserAccess
}

// accessOf returns the access of a user state.
func accessOf(s user.State) UserAccess {
	return UserAccess{Disabled: s.Disabled, Roles: s.Roles, StoreIDs: s.StoreIDs, Synced: true}
}

// syncAccess copies the user's state at revision into the credential store. The store keeps
// only a newer revision than it has, so a late or repeated copy never undoes a later one.
func (u *Users) syncAccess(ctx context.Context, l Loaded[user.State]) error {
	if !l.Exists {
		return nil
	}
	if err := u.creds.SetAccess(ctx, l.State.ID, l.Revision, accessOf(l.State)); err != nil {
		return fmt.Errorf("store access of %s: %w", l.State.ID, err)
	}
	return nil
}

// Credential returns a user's password hash and access; found is false for a user without
// one.
func (u *Users) Credential(ctx context.Context, userID string) (Credential, bool, error) {
	return u.creds.Credential(ctx, userID)
}

// SyncAccess copies every user's current state into the credential store: posd runs it at
// start, so users written before the access columns existed (or whose last command stopped
// between its event and the copy) get their current access before any request is served.
func (u *Users) SyncAccess(ctx context.Context) error {
	ids, err := u.creds.UserIDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		l, err := Load(ctx, u.h, UserStream(id), userAggregate)
		if err != nil {
			return err
		}
		if err := u.syncAccess(ctx, l); err != nil {
			return err
		}
	}
	return nil
}
