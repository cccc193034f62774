package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
)

// claimsFor returns valid claims as the service would issue them.
func claimsFor(now time.Time) auth.Claims {
	return auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: "odata-pos", Subject: "user-1", Audience: jwt.ClaimStrings{"pos-api"},
			ExpiresAt: jwt.NewNumericDate(now.Add(10 * time.Minute)), NotBefore: jwt.NewNumericDate(now),
			IssuedAt: jwt.NewNumericDate(now), ID: "jti-1",
		},
		Roles: []authz.Role{authz.RoleCashier}, StoreIDs: []string{"store-a"}, SessionID: "sid-1",
	}
}

// sign signs claims with method and key, setting kid when not empty.
func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, c jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyAcceptsIssuedToken(t *testing.T) {
	rdb, prefix := testRedis(t)
	f := newFixture(t, rdb, prefix)
	pair, err := f.tokens.Issue(t.Context(), cashier())
	if err != nil {
		t.Fatal(err)
	}
	if pair.RefreshToken == "" || pair.TokenType != "Bearer" || pair.ExpiresIn != 900 {
		t.Fatalf("pair = %+v", pair)
	}
	c, err := f.tokens.Verify(t.Context(), pair.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "user-1" || c.ID == "" || c.SessionID == "" || len(c.Roles) != 1 || c.StoreIDs[0] != "store-a" ||
		c.ExpiresAt.Sub(c.IssuedAt.Time) != 15*time.Minute {
		t.Errorf("claims = %+v", c)
	}
	hdr, _, _ := strings.Cut(pair.AccessToken, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(hdr)
	var h map[string]string
	_ = json.Unmarshal(raw, &h)
	if h["alg"] != "HS256" || h["kid"] != f.keys.Current().ID {
		t.Errorf("header = %v", h)
	}
}

func TestVerifyRefusesAttacks(t *testing.T) {
	rdb, prefix := testRedis(t)
	f := newFixture(t, rdb, prefix)
	now := f.clock.Now()
	cur := f.keys.Current()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	valid := sign(t, jwt.SigningMethodHS256, cur.Secret, cur.ID, claimsFor(now))
	parts := strings.Split(valid, ".")

	tampered := func() string {
		c := claimsFor(now)
		c.Roles = []authz.Role{authz.RoleAdmin}
		c.StoreIDs = []string{}
		payload, _ := json.Marshal(c)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
	}
	noneToken := func() string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"` + cur.ID + `"}`))
		return h + "." + parts[1] + "."
	}
	withClaims := func(mut func(*auth.Claims)) string {
		c := claimsFor(now)
		mut(&c)
		return sign(t, jwt.SigningMethodHS256, cur.Secret, cur.ID, c)
	}
	noExp := func() string {
		c := claimsFor(now)
		c.ExpiresAt = nil
		return sign(t, jwt.SigningMethodHS256, cur.Secret, cur.ID, c)
	}

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"alg none", noneToken(), auth.ErrTokenInvalid},
		{"alg none via library", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, cur.ID, claimsFor(now)), auth.ErrTokenInvalid},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, cur.ID, claimsFor(now)), auth.ErrTokenInvalid},
		{"HS512 same secret", sign(t, jwt.SigningMethodHS512, cur.Secret, cur.ID, claimsFor(now)), auth.ErrTokenInvalid},
		{"HS384 same secret", sign(t, jwt.SigningMethodHS384, cur.Secret, cur.ID, claimsFor(now)), auth.ErrTokenInvalid},
		{"wrong key", sign(t, jwt.SigningMethodHS256, []byte("another-secret-0123456789abcdef0123"), cur.ID, claimsFor(now)), auth.ErrTokenInvalid},
		{"unknown kid", sign(t, jwt.SigningMethodHS256, cur.Secret, "nope", claimsFor(now)), auth.ErrTokenInvalid},
		{"no kid", sign(t, jwt.SigningMethodHS256, cur.Secret, "", claimsFor(now)), auth.ErrTokenInvalid},
		{"tampered payload", tampered(), auth.ErrTokenInvalid},
		{"expired", withClaims(func(c *auth.Claims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute)) }), auth.ErrTokenExpired},
		{"not yet valid", withClaims(func(c *auth.Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) }), auth.ErrTokenInvalid},
		{"issued in the future", withClaims(func(c *auth.Claims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) }), auth.ErrTokenInvalid},
		{"no exp", noExp(), auth.ErrTokenInvalid},
		{"wrong issuer", withClaims(func(c *auth.Claims) { c.Issuer = "evil" }), auth.ErrTokenInvalid},
		{"wrong audience", withClaims(func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"other"} }), auth.ErrTokenInvalid},
		{"no subject", withClaims(func(c *auth.Claims) { c.Subject = "" }), auth.ErrTokenInvalid},
		{"no jti", withClaims(func(c *auth.Claims) { c.ID = "" }), auth.ErrTokenInvalid},
		{"garbage", "not.a.jwt", auth.ErrTokenInvalid},
		{"empty", "", auth.ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := f.tokens.Verify(t.Context(), tt.token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %+v, %v; want %v", c, err, tt.want)
			}
		})
	}
	if _, err := f.tokens.Verify(t.Context(), valid); err != nil {
		t.Fatalf("control token refused: %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	rdb, prefix := testRedis(t)
	old := newFixture(t, rdb, prefix)
	pair, err := old.tokens.Issue(t.Context(), cashier())
	if err != nil {
		t.Fatal(err)
	}
	oldKey := old.keys.Current()
	newKey := testKey(t, "rotated-secret-0123456789abcdef01234")
	rotated, err := auth.NewKeySet(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.NewTokens(rotated, old.access, auth.TokenConfig{KeyPrefix: prefix}, auth.Deps{Redis: rdb})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Verify(t.Context(), pair.AccessToken); err != nil {
		t.Errorf("token of the previous key refused: %v", err)
	}
	dropped, _ := auth.NewKeySet(newKey)
	tokens, _ = auth.NewTokens(dropped, old.access, auth.TokenConfig{KeyPrefix: prefix}, auth.Deps{Redis: rdb})
	if _, err := tokens.Verify(t.Context(), pair.AccessToken); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("token of a dropped key: %v", err)
	}
	if _, err := auth.NewKey([]byte("short")); err == nil {
		t.Error("short secret accepted")
	}
	if _, err := auth.NewKeySet(newKey, newKey); err == nil {
		t.Error("duplicate kid accepted")
	}
}

func TestLogoutRevokesAccessTokenAndSurvivesRestart(t *testing.T) {
	rdb, prefix := testRedis(t)
	f := newFixture(t, rdb, prefix)
	ctx := t.Context()
	pair, _ := f.tokens.Issue(ctx, cashier())
	other, _ := f.tokens.Issue(ctx, cashier())
	c, err := f.tokens.Verify(ctx, pair.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tokens.Logout(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tokens.Verify(ctx, pair.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Errorf("revoked token: %v", err)
	}
	// A new process (posd restarted) on the same database and Redis still refuses it.
	restarted := newReplica(t, rdb, prefix, f.access)
	if _, err := restarted.tokens.Verify(ctx, pair.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Errorf("after restart: %v", err)
	}
	if _, err := restarted.tokens.Refresh(ctx, pair.RefreshToken, loadAs(cashier())); !errors.Is(err, auth.ErrRefreshInvalid) {
		t.Errorf("refresh after logout: %v", err)
	}
	if _, err := restarted.tokens.Verify(ctx, other.AccessToken); err != nil {
		t.Errorf("another session was revoked: %v", err)
	}
	ttl, err := rdb.PTTL(context.Background(), prefix+"jti:"+c.ID).Result()
	if err != nil || ttl <= 0 || ttl > 15*time.Minute+time.Second {
		t.Errorf("jti revocation ttl = %v, %v; want until the token expires", ttl, err)
	}
}

func TestTokenConfigValidate(t *testing.T) {
	err := auth.TokenConfig{AccessTTL: 2 * time.Hour, RefreshTTL: time.Minute, SessionMaxAge: time.Second}.Validate()
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("want three problems at once, got %v", err)
	}
	if err := (auth.TokenConfig{}).Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
