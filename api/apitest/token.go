package apitest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/odata-pos/pos/api"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/user"
)

// Token mints an access token for userID with role in storeIDs without a login (so tests with
// many clients stay clear of the login rate limits). The user is registered on the write side
// first (with a password hash no password matches), or given role and storeIDs if it exists:
// every request checks the user's current access, so a token needs a real user behind it.
func Token(t testing.TB, a *api.API, userID string, role authz.Role, storeIDs ...string) string {
	t.Helper()
	ctx := context.Background()
	sum := sha256.Sum256([]byte(userID))
	cmd := func(op string) commands.Context {
		return commands.Context{ID: "apitest." + op + ":" + userID + ":" + string(role), UserID: "apitest", OccurredAt: time.Now().UTC()}
	}
	reg := user.RegisterUser{UserID: userID, Username: "t-" + hex.EncodeToString(sum[:10]), Roles: []string{string(role)}, StoreIDs: storeIDs}
	_, err := a.Users.Register(ctx, cmd("register"), reg, "!unusable")
	if errors.Is(err, rules.ErrAlreadyExists) {
		if _, err = a.Users.ChangeStoreScope(ctx, cmd("stores"), userID, user.ChangeStoreScope{StoreIDs: storeIDs}); err == nil {
			_, err = a.Users.ChangeRoles(ctx, cmd("roles"), userID, user.ChangeRoles{Roles: reg.Roles})
		}
	}
	if err != nil {
		t.Fatalf("apitest: user %s for a token: %v", userID, err)
	}
	c, _, err := a.Users.Credential(ctx, userID)
	if err != nil {
		t.Fatalf("apitest: access of %s: %v", userID, err)
	}
	pair, err := a.Tokens.Issue(ctx, auth.Identity{UserID: userID, Roles: []authz.Role{role}, StoreIDs: storeIDs, Epoch: c.Access.Epoch, ScopeEpoch: c.Access.ScopeEpoch})
	if err != nil {
		t.Fatalf("apitest: token of %s: %v", userID, err)
	}
	return pair.AccessToken
}
