package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api/authz"
)

// refreshPrefix starts every refresh token, so leaked tokens are easy to recognise.
const refreshPrefix = "rt_"

// rotateScript atomically rotates a refresh token. KEYS[1] is the presented token's key,
// KEYS[2] the new token's key; ARGV: session-key prefix, now (ms), idle TTL (ms), session
// revocation TTL (ms). A token presented a second time revokes its whole session. The new
// token keeps the user's access version of the login (uep: "epoch.scope epoch"); a token from
// before uep was stored counts as "0.0".
const rotateScript = `
local t = redis.call('HMGET', KEYS[1], 'uid', 'sid', 'used', 'exp', 'uep')
if not t[1] then return {'missing'} end
local uep = t[5] or '0.0'
local sidkey = ARGV[1] .. t[2]
if redis.call('EXISTS', sidkey) == 1 then return {'revoked', t[1], t[2], uep} end
if t[3] == '1' then
  redis.call('SET', sidkey, 'reused', 'PX', ARGV[4])
  return {'reused', t[1], t[2], uep}
end
local now = tonumber(ARGV[2])
local exp = tonumber(t[4])
if exp <= now then return {'expired', t[1], t[2], uep} end
redis.call('HSET', KEYS[1], 'used', '1')
local ttl = math.min(tonumber(ARGV[3]), exp - now)
redis.call('HSET', KEYS[2], 'uid', t[1], 'sid', t[2], 'used', '0', 'exp', t[4], 'uep', uep)
redis.call('PEXPIRE', KEYS[2], ttl)
return {'ok', t[1], t[2], uep}
`

// Issue starts a session for id (a login): an access token and, when Redis is usable, a
// refresh token. Without Redis the pair has no refresh token and login still succeeds.
func (t *Tokens) Issue(ctx context.Context, id Identity) (TokenPair, error) {
	sid := uuid.NewString()
	access, err := t.signAccess(id, sid)
	if err != nil {
		return TokenPair{}, err
	}
	pair := TokenPair{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(t.cfg.AccessTTL / time.Second)}
	if !t.health.usable() {
		t.health.fellBack()
		return pair, nil
	}
	rt, err := newSecret(refreshPrefix)
	if err != nil {
		return TokenPair{}, err
	}
	now := t.deps.Now()
	exp := now.Add(t.cfg.SessionMaxAge).UnixMilli()
	_, err = t.deps.Redis.TxPipelined(ctx, func(p redis.Pipeliner) error {
		key := t.rtKey(hashToken(rt))
		p.HSet(ctx, key, "uid", id.UserID, "sid", sid, "used", "0", "exp", strconv.FormatInt(exp, 10),
			"uep", id.version())
		p.PExpire(ctx, key, t.cfg.RefreshTTL)
		return nil
	})
	if t.health.observe(ctx, err) != nil {
		t.health.fellBack()
		t.deps.Log.WarnContext(ctx, "login without refresh token: redis unavailable", "user_id", id.UserID)
		return pair, nil //nolint:nilerr // by design: without Redis a login still succeeds, without a refresh token
	}
	pair.RefreshToken = rt
	return pair, nil
}

// Refresh rotates a refresh token: the presented token is spent and a new pair in the same
// session is returned, with the identity reloaded through load (so role changes apply and a
// disabled user is refused: load's error is returned and the session revoked). A token of an
// older access version than load's (the password, the roles or the stores changed, or the
// user was disabled, since the login) is refused with ErrRefreshInvalid and its session
// revoked. A token
// presented twice revokes its session (every refresh and access token of it) and is reported
// as a security event. Refresh needs Redis: without it, it fails with ErrUnavailable.
func (t *Tokens) Refresh(ctx context.Context, raw string, load func(ctx context.Context, userID string) (Identity, error)) (TokenPair, error) {
	if !strings.HasPrefix(raw, refreshPrefix) || len(raw) > 128 {
		return TokenPair{}, ErrRefreshInvalid
	}
	if !t.health.usable() {
		t.health.fellBack()
		return TokenPair{}, ErrUnavailable
	}
	if err := t.flushPending(ctx); err != nil {
		return TokenPair{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	next, err := newSecret(refreshPrefix)
	if err != nil {
		return TokenPair{}, err
	}
	now := t.deps.Now()
	res, err := t.rotate.Run(ctx, t.deps.Redis,
		[]string{t.rtKey(hashToken(raw)), t.rtKey(hashToken(next))},
		t.cfg.KeyPrefix+"sid:", now.UnixMilli(), t.cfg.RefreshTTL.Milliseconds(), t.cfg.SessionMaxAge.Milliseconds(),
	).StringSlice()
	if t.health.observe(ctx, err) != nil {
		t.health.fellBack()
		return TokenPair{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if len(res) == 0 || res[0] != "missing" && len(res) != 4 {
		return TokenPair{}, fmt.Errorf("rotate refresh token: unexpected script result %q", res)
	}
	switch res[0] {
	case "ok":
	case "reused":
		// The script revoked the session in Redis; every replica reads PostgreSQL.
		uid, sid := res[1], res[2]
		err := t.access.Revoke(ctx, sidRevocation(sid), now.Add(t.cfg.SessionMaxAge), now)
		t.local.add(t.sidKey(sid), now.Add(t.cfg.SessionMaxAge), false, now)
		t.deps.Log.WarnContext(ctx, "refresh token reuse: session revoked", "user_id", uid, "session_id", sid)
		t.deps.record(ctx, authz.SecurityEvent{Kind: authz.EventRefreshReused, UserID: uid, Detail: "session " + sid})
		if err != nil {
			// The answer is the same; the other replicas refuse the session's access tokens
			// only once they expire (AccessTTL).
			t.deps.Log.ErrorContext(ctx, "refresh token reuse: session revoked here and in redis only", "session_id", sid, "error", err)
		}
		return TokenPair{}, ErrRefreshReused
	default: // missing, expired, revoked
		return TokenPair{}, ErrRefreshInvalid
	}
	uid, sid := res[1], res[2]
	id, err := load(ctx, uid)
	switch {
	case err != nil:
	case id.UserID != uid:
		err = fmt.Errorf("refresh: loaded user %q for token of %q", id.UserID, uid)
	case id.version() != res[3]:
		err = fmt.Errorf("%w: credentials, roles or stores changed since the login", ErrRefreshInvalid)
	}
	if err != nil {
		if rerr := t.revokeSession(ctx, sid, now); rerr != nil {
			return TokenPair{}, errors.Join(err, rerr)
		}
		return TokenPair{}, err
	}
	access, err := t.signAccess(id, sid)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: next, TokenType: "Bearer",
		ExpiresIn: int(t.cfg.AccessTTL / time.Second)}, nil
}

// Logout revokes the access token of c until it expires and its whole session (refresh
// family). The revocations are written to PostgreSQL, which every replica reads with the
// user's access; an error there fails the logout (the client may try again). They are also
// kept in-process and written to Redis for the refresh script; if Redis is down they stay
// pending and are written before the next refresh.
func (t *Tokens) Logout(ctx context.Context, c *Claims) error {
	now := t.deps.Now()
	exp := now.Add(t.cfg.AccessTTL)
	if c.ExpiresAt != nil {
		exp = c.ExpiresAt.Time
	}
	if err := t.revoke(ctx, jtiRevocation(c.ID), exp, now); err != nil {
		return err
	}
	return t.revokeSession(ctx, c.SessionID, now)
}

// revokeSession revokes every token of session sid.
func (t *Tokens) revokeSession(ctx context.Context, sid string, now time.Time) error {
	return t.revoke(ctx, sidRevocation(sid), now.Add(t.cfg.SessionMaxAge), now)
}

// revoke records key (a revocation key: jti:<id> or sid:<id>) as revoked until the given
// time: in PostgreSQL for every replica, then in-process and in Redis.
func (t *Tokens) revoke(ctx context.Context, key string, until, now time.Time) error {
	if !until.After(now) {
		return nil
	}
	if err := t.access.Revoke(ctx, key, until, now); err != nil {
		return fmt.Errorf("%w: %v", ErrAccessUnavailable, err)
	}
	rkey := t.cfg.KeyPrefix + key
	if t.health.usable() {
		err := t.deps.Redis.Set(ctx, rkey, "revoked", until.Sub(now)).Err()
		if t.health.observe(ctx, err) == nil {
			t.local.add(rkey, until, false, now)
			return nil
		}
	}
	t.health.fellBack()
	t.local.add(rkey, until, true, now)
	t.deps.Log.WarnContext(ctx, "revocation kept in-process until redis is back", "key", key)
	return nil
}

// flushPending writes revocations made while Redis was down.
func (t *Tokens) flushPending(ctx context.Context) error {
	now := t.deps.Now()
	pending := t.local.takePending(now)
	if len(pending) == 0 {
		return nil
	}
	_, err := t.deps.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for k, u := range pending {
			p.Set(ctx, k, "revoked", u.Sub(now))
		}
		return nil
	})
	if t.health.observe(ctx, err) != nil {
		t.local.restorePending(pending)
		return fmt.Errorf("flush revocations: %w", err)
	}
	return nil
}

// newSecret returns prefix + 256 random bits, base64url.
func newSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashToken returns the SHA-256 of an opaque token, hex; only hashes are stored.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}
