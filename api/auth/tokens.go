package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api/authz"
)

// TokenConfig configures the token service.
type TokenConfig struct {
	// Issuer is the "iss" claim; default "odata-pos".
	Issuer string
	// Audience is the "aud" claim; default "pos-api".
	Audience string
	// AccessTTL is the access token lifetime; default 15 minutes.
	AccessTTL time.Duration
	// RefreshTTL is how long an unused refresh token stays valid (idle timeout); default 12 h,
	// one long shift.
	RefreshTTL time.Duration
	// SessionMaxAge caps a refresh-token family however often it rotates; default 7 days.
	SessionMaxAge time.Duration
	// KeyPrefix prefixes every Redis key; default "pos:auth:". Tests use a random one.
	KeyPrefix string
}

// withDefaults fills zero fields.
func (c TokenConfig) withDefaults() TokenConfig {
	if c.Issuer == "" {
		c.Issuer = "odata-pos"
	}
	if c.Audience == "" {
		c.Audience = "pos-api"
	}
	if c.AccessTTL == 0 {
		c.AccessTTL = 15 * time.Minute
	}
	if c.RefreshTTL == 0 {
		c.RefreshTTL = 12 * time.Hour
	}
	if c.SessionMaxAge == 0 {
		c.SessionMaxAge = 7 * 24 * time.Hour
	}
	if c.KeyPrefix == "" {
		c.KeyPrefix = "pos:auth:"
	}
	return c
}

// Validate reports every problem of the configuration (after defaults) at once.
func (c TokenConfig) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.AccessTTL < time.Minute || c.AccessTTL > time.Hour {
		errs = append(errs, fmt.Errorf("access token lifetime %s: must be between 1m and 1h", c.AccessTTL))
	}
	if c.RefreshTTL <= c.AccessTTL {
		errs = append(errs, fmt.Errorf("refresh token lifetime %s: must exceed the access token lifetime", c.RefreshTTL))
	}
	if c.SessionMaxAge < c.RefreshTTL {
		errs = append(errs, fmt.Errorf("session max age %s: must be at least the refresh token lifetime", c.SessionMaxAge))
	}
	return errors.Join(errs...)
}

// Identity is what a token says about its user. Epoch and ScopeEpoch are the user's when the
// credentials were checked (see Access).
type Identity struct {
	UserID     string
	Roles      []authz.Role
	StoreIDs   []string
	Epoch      int64
	ScopeEpoch int64
}

// version is the access version a refresh token keeps: both epochs.
func (id Identity) version() string {
	return strconv.FormatInt(id.Epoch, 10) + "." + strconv.FormatInt(id.ScopeEpoch, 10)
}

// Claims are the claims of an access token: sub (user ID), roles, store_ids, sid (the refresh
// family, i.e. the session), uep (the user's security epoch), jti, iat, nbf, exp, iss and
// aud. Once verified, Roles and StoreIDs are the user's current ones, not the token's.
type Claims struct {
	jwt.RegisteredClaims
	Roles     []authz.Role `json:"roles"`
	StoreIDs  []string     `json:"store_ids"`
	SessionID string       `json:"sid"`
	Epoch     int64        `json:"uep"`
}

// Principal returns the authz principal of the claims.
func (c *Claims) Principal() authz.Principal {
	return authz.Principal{UserID: c.Subject, Roles: c.Roles, StoreIDs: c.StoreIDs, TokenID: c.ID}
}

// TokenPair is the answer to a login or a refresh. RefreshToken is empty when Redis is
// unavailable: the client must log in again when the access token expires.
type TokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// Tokens issues and verifies access tokens and manages refresh-token families and
// revocations. See the package doc for its behaviour without Redis.
type Tokens struct {
	keys    *KeySet
	access  AccessSource
	cfg     TokenConfig
	deps    Deps
	health  *redisHealth
	local   *localRevocations
	rotate  *redis.Script
	methods []string
	// verified skips parsing a token Verify has already parsed and found well signed.
	verified *verifiedTokens
}

// NewTokens returns the token service signing with keys and checking every token against
// the users' current access.
func NewTokens(keys *KeySet, access AccessSource, cfg TokenConfig, deps Deps) (*Tokens, error) {
	if keys == nil {
		return nil, errors.New("tokens: no key set")
	}
	if access == nil {
		return nil, errors.New("tokens: no access source")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deps = deps.withDefaults()
	return &Tokens{
		keys:    keys,
		access:  access,
		cfg:     cfg.withDefaults(),
		deps:    deps,
		health:  newRedisHealth("tokens", deps),
		local:   newLocalRevocations(100_000),
		rotate:  redis.NewScript(rotateScript),
		methods: []string{jwt.SigningMethodHS256.Alg()},

		verified: newVerifiedTokens(),
	}, nil
}

// AccessTTL returns the access token lifetime.
func (t *Tokens) AccessTTL() time.Duration { return t.cfg.AccessTTL }

// signAccess returns a signed access token for id in session sid.
func (t *Tokens) signAccess(id Identity, sid string) (string, error) {
	if id.UserID == "" {
		return "", errors.New("sign access token: empty user id")
	}
	now := t.deps.Now().UTC().Truncate(time.Second)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.cfg.Issuer,
			Subject:   id.UserID,
			Audience:  jwt.ClaimStrings{t.cfg.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(t.cfg.AccessTTL)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        uuid.NewString(),
		},
		Roles:     id.Roles,
		StoreIDs:  id.StoreIDs,
		SessionID: sid,
		Epoch:     id.Epoch,
	}
	if claims.Roles == nil {
		claims.Roles = []authz.Role{}
	}
	if claims.StoreIDs == nil {
		claims.StoreIDs = []string{}
	}
	key := t.keys.Current()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = key.ID
	s, err := tok.SignedString(key.Secret)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return s, nil
}

// keyFunc returns the secret of the token's kid; only HS256 reaches it (WithValidMethods).
func (t *Tokens) keyFunc(tok *jwt.Token) (any, error) {
	kid, _ := tok.Header["kid"].(string)
	secret, ok := t.keys.secret(kid)
	if !ok {
		return nil, fmt.Errorf("unknown kid %q", kid)
	}
	return secret, nil
}

// Verify checks an access token: HS256 only, a known kid, a valid signature, iss, aud, exp
// (required), nbf and iat, a subject, a jti and a session, that neither the token nor its
// session is revoked, and that the user is enabled and still at the token's security epoch;
// the claims returned carry the user's current roles and stores. Errors wrap
// ErrTokenInvalid, ErrTokenExpired, ErrTokenRevoked or ErrAccessUnavailable.
func (t *Tokens) Verify(ctx context.Context, raw string) (*Claims, error) {
	claims, err := t.parse(raw)
	if err != nil {
		return nil, err
	}
	if t.revokedHere(claims) {
		return nil, ErrTokenRevoked
	}
	if err := t.applyAccess(ctx, claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// tokenLeeway is the clock skew allowed on a token's exp, nbf and iat.
const tokenLeeway = 5 * time.Second

// parse checks everything about raw that its bytes alone decide (algorithm, kid, signature,
// iss, aud, a subject, a jti and a session) and its time claims, and returns its claims. A
// token parsed before is taken from t.verified, its time claims checked again.
func (t *Tokens) parse(raw string) (*Claims, error) {
	if c, ok := t.verified.get(raw, t.deps.Now()); ok {
		return c, nil
	}
	claims := &Claims{}
	_, err := jwt.ParseWithClaims(raw, claims, t.keyFunc,
		jwt.WithValidMethods(t.methods),
		jwt.WithIssuer(t.cfg.Issuer),
		jwt.WithAudience(t.cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.deps.Now),
		jwt.WithLeeway(tokenLeeway),
		jwt.WithStrictDecoding(),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, fmt.Errorf("%w: %v", ErrTokenExpired, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	case claims.Subject == "" || claims.ID == "" || claims.SessionID == "":
		return nil, fmt.Errorf("%w: missing sub, jti or sid", ErrTokenInvalid)
	}
	t.verified.put(raw, claims, tokenLeeway)
	return claims, nil
}

// revokedHere reports whether the token or its session was revoked through this replica
// (the in-process cache, which needs no round trip). Every replica's revocations are
// checked in PostgreSQL, with the user's access (applyAccess).
func (t *Tokens) revokedHere(c *Claims) bool {
	now := t.deps.Now()
	return t.local.revoked(t.jtiKey(c.ID), now) || t.local.revoked(t.sidKey(c.SessionID), now)
}

// Revocation keys: a revoked access token is "jti:<id>", a revoked session "sid:<id>". In
// PostgreSQL (the deployment's own database) they are stored as they are; in Redis, which
// deployments may share, behind the key prefix.
func jtiRevocation(jti string) string { return "jti:" + jti }
func sidRevocation(sid string) string { return "sid:" + sid }

// revocationKeys returns the keys whose revocation refuses c: its own and its session's.
func revocationKeys(c *Claims) []string {
	return []string{jtiRevocation(c.ID), sidRevocation(c.SessionID)}
}

// Redis keys.
func (t *Tokens) jtiKey(jti string) string { return t.cfg.KeyPrefix + jtiRevocation(jti) }
func (t *Tokens) sidKey(sid string) string { return t.cfg.KeyPrefix + sidRevocation(sid) }
func (t *Tokens) rtKey(hash string) string { return t.cfg.KeyPrefix + "rt:" + hash }
