package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/user"
)

// CredentialStore keeps password hashes and each user's current access beside the user
// streams (never a hash in an event).
type CredentialStore interface {
	// SetPasswordHash stores the hash of userID's password, replacing any previous one; a
	// replaced hash raises the user's security epoch in the same statement, which ends every
	// session of the old password.
	SetPasswordHash(ctx context.Context, userID, hash string) error
	// SetAccess stores userID's access as of the user stream's revision, unless a newer
	// revision is stored; becoming disabled raises the security epoch.
	SetAccess(ctx context.Context, userID string, revision uint64, a UserAccess) error
	// Credential returns userID's hash and access in one read; found is false when none is
	// stored.
	Credential(ctx context.Context, userID string) (c Credential, found bool, err error)
	// UserIDs returns every user with stored credentials.
	UserIDs(ctx context.Context) ([]string, error)
	// PasswordHash returns userID's hash; found is false when none is stored.
	PasswordHash(ctx context.Context, userID string) (hash string, found bool, err error)
	// Count returns how many users have a password stored (one per registered user).
	Count(ctx context.Context) (int, error)
}

// userAggregate folds a user stream.
var userAggregate = Aggregate[user.State, user.Event]{
	Initial: func() user.State { return user.State{} },
	Evolve:  user.Evolve,
}

// UserStream names the stream of a user.
func UserStream(id string) string { return UserPrefix + id }

// UsernameKey is the reservation key that makes a username unique.
func UsernameKey(username string) string { return "username:" + user.NormalizeUsername(username) }

// Users handles the user commands.
type Users struct {
	h     *Handler
	creds CredentialStore
	now   func() time.Time
}

// NewUsers returns the user command handlers.
func NewUsers(h *Handler, creds CredentialStore, now func() time.Time) *Users {
	return &Users{h: h, creds: creds, now: now}
}

// Register creates a user with a password hash. The username is reserved first on the write
// side, so two concurrent registrations of one name cannot both succeed.
func (u *Users) Register(ctx context.Context, cmd Context, c user.RegisterUser, passwordHash string) (Outcome[user.State], error) {
	return u.RegisterHashing(ctx, cmd, c, func(context.Context) (string, error) { return passwordHash, nil })
}

// RegisterHashing is Register with the password hashed by hash only once the command is
// valid, so a bad command never pays for a password hash (nor holds a username).
func (u *Users) RegisterHashing(ctx context.Context, cmd Context, c user.RegisterUser, hash func(context.Context) (string, error)) (Outcome[user.State], error) {
	if _, err := user.Decide(user.State{}, c, u.now()); err != nil {
		return Outcome[user.State]{}, err
	}
	passwordHash, err := hash(ctx)
	if err != nil {
		return Outcome[user.State]{}, err
	}
	if _, err := Claim(ctx, u.h, cmd, UsernameKey(c.Username), c.UserID); err != nil {
		return Outcome[user.State]{}, err
	}
	// The hash is stored only for a user that does not exist yet: a retried registration
	// replays, and a registration over an existing user is refused by the decider, so neither
	// may change a password behind the log's back.
	existing, err := Load(ctx, u.h, UserStream(c.UserID), userAggregate)
	if err != nil {
		return Outcome[user.State]{}, err
	}
	if !existing.Exists {
		if err := u.creds.SetPasswordHash(ctx, c.UserID, passwordHash); err != nil {
			return Outcome[user.State]{}, fmt.Errorf("store password of %s: %w", c.UserID, err)
		}
	}
	return u.run(ctx, cmd, c.UserID, c)
}

// ChangeRoles replaces a user's roles.
func (u *Users) ChangeRoles(ctx context.Context, cmd Context, userID string, c user.ChangeRoles) (Outcome[user.State], error) {
	return u.update(ctx, cmd, userID, c)
}

// ChangeStoreScope replaces the stores a user may act in.
func (u *Users) ChangeStoreScope(ctx context.Context, cmd Context, userID string, c user.ChangeStoreScope) (Outcome[user.State], error) {
	return u.update(ctx, cmd, userID, c)
}

// Disable stops a user from logging in.
func (u *Users) Disable(ctx context.Context, cmd Context, userID string, c user.Disable) (Outcome[user.State], error) {
	return u.update(ctx, cmd, userID, c)
}

// Enable lets a disabled user log in again.
func (u *Users) Enable(ctx context.Context, cmd Context, userID string) (Outcome[user.State], error) {
	return u.update(ctx, cmd, userID, user.Enable{})
}

// SetPassword stores a new password hash and records the change. The hash is written only
// after the decider accepted the change, and before the event, so the event never claims a
// change that did not happen.
func (u *Users) SetPassword(ctx context.Context, cmd Context, userID, passwordHash string, byAdmin bool) (Outcome[user.State], error) {
	c := user.RecordPasswordChange{ByAdmin: byAdmin}
	current, err := u.Get(ctx, userID)
	if err != nil {
		return Outcome[user.State]{}, err
	}
	if _, err := user.Decide(current, c, u.now()); err != nil {
		return Outcome[user.State]{}, err
	}
	if err := u.creds.SetPasswordHash(ctx, userID, passwordHash); err != nil {
		return Outcome[user.State]{}, fmt.Errorf("store password of %s: %w", userID, err)
	}
	return u.update(ctx, cmd, userID, c)
}

func (u *Users) update(ctx context.Context, cmd Context, userID string, c user.Command) (Outcome[user.State], error) {
	return u.run(ctx, cmd, userID, c)
}

// run decides c on the user's stream and returns the user as the command left it (on a
// replay, as it is now). Before answering, it copies the user's resulting access to the
// credential store (on a replay too), so a disable, role or store change is in force for the
// user's next request once the command is acknowledged. A failed copy fails the command; its
// retry writes no second event and copies again.
func (u *Users) run(ctx context.Context, cmd Context, userID string, c user.Command) (Outcome[user.State], error) {
	res, l, err := execute(ctx, u.h, UserStream(userID), userAggregate, cmd, nil, func(s user.State) ([]user.Event, error) {
		return user.Decide(s, c, u.now())
	})
	if err != nil {
		return Outcome[user.State]{}, err
	}
	if err := u.syncAccess(ctx, l); err != nil {
		return Outcome[user.State]{}, err
	}
	return Outcome[user.State]{Result: res, State: l}, nil
}

// Get returns a user's current state, or rules.ErrNotFound.
func (u *Users) Get(ctx context.Context, userID string) (user.State, error) {
	l, err := Load(ctx, u.h, UserStream(userID), userAggregate)
	if err != nil {
		return user.State{}, err
	}
	if !l.Exists {
		return user.State{}, rules.ErrNotFound
	}
	return l.State, nil
}

// ErrBadCredentials is returned by Authenticate for an unknown user, a wrong password or a
// disabled user alike, so that callers cannot tell which.
var ErrBadCredentials = errors.New("bad credentials")

// Lookup finds a user by username on the write side (the username reservation), so a user can
// log in the moment they are created.
func (u *Users) Lookup(ctx context.Context, username string) (user.State, error) {
	id, err := Owner(ctx, u.h, UsernameKey(username))
	if err != nil {
		return user.State{}, err
	}
	if id == "" {
		return user.State{}, rules.ErrNotFound
	}
	return u.Get(ctx, id)
}

// PasswordHash returns a user's stored password hash.
func (u *Users) PasswordHash(ctx context.Context, userID string) (string, bool, error) {
	return u.creds.PasswordHash(ctx, userID)
}

// Count returns how many users are registered (used to bootstrap the first admin).
func (u *Users) Count(ctx context.Context) (int, error) { return u.creds.Count(ctx) }

// hashReplacer is a CredentialStore that can replace a hash of the same password.
type hashReplacer interface {
	ReplacePasswordHash(ctx context.Context, userID, oldHash, newHash string) (bool, error)
}

// ReplacePasswordHash stores newHash for userID if its stored hash is still oldHash: a rehash
// of the same password at login (an imported v1 bcrypt hash), which is not a password change
// and ends no session. It reports whether it replaced; false when the credential store
// cannot (nothing is lost: the old hash keeps working).
func (u *Users) ReplacePasswordHash(ctx context.Context, userID, oldHash, newHash string) (bool, error) {
	rp, ok := u.creds.(hashReplacer)
	if !ok {
		return false, nil
	}
	return rp.ReplacePasswordHash(ctx, userID, oldHash, newHash)
}
