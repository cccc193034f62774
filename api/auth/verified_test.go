package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/auth"
)

// A token Verify has parsed once is not parsed again, but every later Verify still checks its
// time claims, its revocation and the user's access, and hands out claims of its own.
func TestVerifyRechecksARememberedToken(t *testing.T) {
	rdb, prefix := testRedis(t)
	f := newFixture(t, rdb, prefix)
	ctx := t.Context()
	pair, err := f.tokens.Issue(ctx, cashier())
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.tokens.Verify(ctx, pair.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	c.Subject, c.SessionID = "someone-else", "other-session"
	if c, err := f.tokens.Verify(ctx, pair.AccessToken); err != nil || c.Subject != "user-1" || c.SessionID == "other-session" {
		t.Fatalf("second verify = %+v, %v", c, err)
	}

	// The user's access is read at every request.
	f.access.set("user-1", auth.Access{Disabled: true})
	if _, err := f.tokens.Verify(ctx, pair.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("disabled user: %v", err)
	}
	f.access.grant(cashier())

	// A clock set back before the token's iat and nbf (less the leeway) refuses it.
	f.clock.Advance(-6 * time.Second)
	if _, err := f.tokens.Verify(ctx, pair.AccessToken); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("before iat: %v", err)
	}
	f.clock.Advance(6 * time.Second)

	// Valid until exp plus the leeway, expired from then on.
	f.clock.Advance(15*time.Minute + 4*time.Second)
	if _, err := f.tokens.Verify(ctx, pair.AccessToken); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	f.clock.Advance(time.Second)
	if _, err := f.tokens.Verify(ctx, pair.AccessToken); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("after exp: %v", err)
	}
}
