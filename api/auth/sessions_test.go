package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/internal/poll"
)

// loadAs returns a loader that answers id for its user.
func loadAs(id auth.Identity) func(context.Context, string) (auth.Identity, error) {
	return func(_ context.Context, userID string) (auth.Identity, error) {
		if userID != id.UserID {
			return auth.Identity{}, errors.New("unexpected user " + userID)
		}
		return id, nil
	}
}

func TestRefreshRotatesAndReuseRevokesFamily(t *testing.T) {
	rdb, prefix := testRedis(t)
	f := newFixture(t, rdb, prefix)
	ctx := t.Context()
	first, err := f.tokens.Issue(ctx, cashier())
	if err != nil {
		t.Fatal(err)
	}
	// Roles changed since login: the refreshed access token carries the new ones.
	promoted := cashier()
	promoted.Roles = []authz.Role{authz.RoleManager}
	f.access.grant(promoted)
	second, err := f.tokens.Refresh(ctx, first.RefreshToken, loadAs(promoted))
	if err != nil {
		t.Fatal(err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatalf("not rotated: %+v", second)
	}
	c2, err := f.tokens.Verify(ctx, second.AccessToken)
	if err != nil || c2.Roles[0] != authz.RoleManager {
		t.Fatalf("refreshed access token: %+v, %v", c2, err)
	}
	c1, _ := f.tokens.Verify(ctx, first.AccessToken)
	if c1.SessionID != c2.SessionID {
		t.Errorf("rotation changed the session: %s → %s", c1.SessionID, c2.SessionID)
	}
	third, err := f.tokens.Refresh(ctx, second.RefreshToken, loadAs(promoted))
	if err != nil {
		t.Fatal(err)
	}

	// The first token again: reuse. The whole family dies, including the newest tokens.
	if _, err := f.tokens.Refresh(ctx, first.RefreshToken, loadAs(promoted)); !errors.Is(err, auth.ErrRefreshReused) {
		t.Fatalf("reuse: %v", err)
	}
	if f.events.count(authz.EventRefreshReused) != 1 {
		t.Errorf("reuse not reported as a security event: %+v", f.events.list)
	}
	if _, err := f.tokens.Refresh(ctx, third.RefreshToken, loadAs(promoted)); !errors.Is(err, auth.ErrRefreshInvalid) {
		t.Errorf("newest refresh token after reuse: %v", err)
	}
	for _, at := range []string{first.AccessToken, second.AccessToken, third.AccessToken} {
		if _, err := f.tokens.Verify(ctx, at); !errors.Is(err, auth.ErrTokenRevoked) {
			t.Errorf("access token of a revoked family: %v", err)
		}
	}
	// Another replica sees the revocation too (it is in the database they share).
	if _, err := newReplica(t, rdb, prefix, f.access).tokens.Verify(ctx, third.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Errorf("other replica: %v", err)
	}
	// Another session of the same user is untouched.
	other, _ := f.tokens.Issue(ctx, cashier())
	if _, err := f.tokens.Refresh(ctx, other.RefreshToken, loadAs(cashier())); err != nil {
		t.Errorf("unrelated session: %v", err)
	}
}

func TestRefreshRefusals(t *testing.T) {
	rdb, prefix := testRedis(t)
	f := newFixture(t, rdb, prefix)
	ctx := t.Context()
	for _, bad := range []string{"", "rt_unknown", "not-a-refresh-token", "rt_" + strings.Repeat("x", 200)} {
		if _, err := f.tokens.Refresh(ctx, bad, loadAs(cashier())); !errors.Is(err, auth.ErrRefreshInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// A disabled user: the loader fails, the session is revoked.
	pair, _ := f.tokens.Issue(ctx, cashier())
	disabled := func(context.Context, string) (auth.Identity, error) { return auth.Identity{}, auth.ErrRefreshInvalid }
	if _, err := f.tokens.Refresh(ctx, pair.RefreshToken, disabled); !errors.Is(err, auth.ErrRefreshInvalid) {
		t.Errorf("disabled user: %v", err)
	}
	if _, err := f.tokens.Verify(ctx, pair.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Errorf("access token of a disabled user's session: %v", err)
	}
	// Idle timeout: unused for longer than RefreshTTL.
	idle, _ := f.tokens.Issue(ctx, cashier())
	idleKey := prefix + "rt:" + hashOf(idle.RefreshToken)
	if err := rdb.PExpire(ctx, idleKey, time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 5*time.Second, func() bool { return rdb.Exists(ctx, idleKey).Val() == 0 }, poll.Is("the idle refresh token expired in Redis"))
	if _, err := f.tokens.Refresh(ctx, idle.RefreshToken, loadAs(cashier())); !errors.Is(err, auth.ErrRefreshInvalid) {
		t.Errorf("idle token: %v", err)
	}
	// Session max age: rotations do not extend a session beyond it.
	old, _ := f.tokens.Issue(ctx, cashier())
	f.clock.Advance(7*24*time.Hour + time.Second)
	if _, err := f.tokens.Refresh(ctx, old.RefreshToken, loadAs(cashier())); !errors.Is(err, auth.ErrRefreshInvalid) {
		t.Errorf("session past max age: %v", err)
	}
}

func TestTokensWithDeadRedis(t *testing.T) {
	f := newFixture(t, deadRedis(t), "dead:")
	ctx := t.Context()
	pair, err := f.tokens.Issue(ctx, cashier())
	if err != nil {
		t.Fatalf("login without redis: %v", err)
	}
	if pair.AccessToken == "" || pair.RefreshToken != "" {
		t.Fatalf("pair = %+v; want an access token and no refresh token", pair)
	}
	c, err := f.tokens.Verify(ctx, pair.AccessToken)
	if err != nil {
		t.Fatalf("verify without redis: %v", err)
	}
	if err := f.tokens.Logout(ctx, c); err != nil {
		t.Fatalf("logout without redis: %v", err)
	}
	if _, err := f.tokens.Verify(ctx, pair.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Errorf("logged-out token on this replica: %v", err)
	}
	f.clock.Advance(2 * time.Second) // past the probe interval: Redis is tried (and fails) again
	if _, err := f.tokens.Refresh(ctx, "rt_whatever", loadAs(cashier())); !errors.Is(err, auth.ErrUnavailable) {
		t.Errorf("refresh without redis: %v; want ErrUnavailable", err)
	}
	if n := counterValue(t, f.fallbacks); n < 3 {
		t.Errorf("fallbacks counted %v", n)
	}
	if got := strings.Count(f.logs.String(), "falling back to in-process"); got != 1 {
		t.Errorf("outage logged %d times, want once:\n%s", got, f.logs.String())
	}
}

func TestLogoutDuringOutageReachesRedisBeforeRefresh(t *testing.T) {
	rdb, prefix := testRedis(t)
	live := newFixture(t, rdb, prefix)
	ctx := t.Context()
	pair, _ := live.tokens.Issue(ctx, cashier())
	c, _ := live.tokens.Verify(ctx, pair.AccessToken)

	// Another replica of the same database whose Redis is "down" (a dead client sharing
	// the prefix) takes the logout.
	down := newReplica(t, deadRedis(t), prefix, live.access)
	if err := down.tokens.Logout(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := down.tokens.Verify(ctx, pair.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Errorf("replica that took the logout: %v", err)
	}
	// The live replica refuses the token at once: revocations are read from the database.
	if _, err := live.tokens.Verify(ctx, pair.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Errorf("live replica after a logout on another replica without redis: %v", err)
	}
	// The refresh token, which lives in Redis, is refused once the revocation reaches Redis:
	// the same process with Redis back flushes it before refreshing.
	if err := live.tokens.Logout(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := live.tokens.Refresh(ctx, pair.RefreshToken, loadAs(cashier())); !errors.Is(err, auth.ErrRefreshInvalid) {
		t.Errorf("refresh after logout: %v", err)
	}
}

func TestRedisDisabled(t *testing.T) {
	f := newFixture(t, nil, "")
	pair, err := f.tokens.Issue(t.Context(), cashier())
	if err != nil || pair.RefreshToken != "" {
		t.Fatalf("issue: %+v, %v", pair, err)
	}
	if _, err := f.tokens.Verify(t.Context(), pair.AccessToken); err != nil {
		t.Errorf("verify: %v", err)
	}
	tok, err := f.approvals.Issue(t.Context(), grantOf(auth.ActionSaleVoid, "", "mgr"))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := f.approvals.Consume(t.Context(), tok, useOf(auth.ActionSaleVoid, "s1")); err != nil || id != "mgr" {
		t.Errorf("consume: %q, %v", id, err)
	}
}
