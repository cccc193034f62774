// Package auth is identity and session security for the O'Data POS API: HS256 JWT access
// tokens with key rotation ([KeySet], [Tokens]), rotating opaque refresh tokens with reuse
// detection, logout revocation, argon2id passwords ([Passwords]), one-time manager approvals
// bound to the asking session and the approver's stores ([Approvals]), rate limiting ([FallbackLimiter], [LoginGuard], [RateLimit]), the bearer
// authentication middleware ([Tokens.Authenticate]) and the /auth route handlers ([Handlers]).
//
// # Tokens
//
// Access tokens are JWTs signed with HS256 only (jwt.WithValidMethods; "none", RS256, HS512
// … are refused), carrying a "kid" header that selects the key in the [KeySet] (current key
// signs, previous keys still verify, so secrets rotate without logging users out). Claims:
// sub (user ID), roles, store_ids, sid (session = refresh family), uep (the user's security
// epoch), jti, iat, nbf, exp, iss, aud. Lifetime 15 minutes by default ([TokenConfig]).
//
// Every verification also reads the user's current [Access] from an [AccessSource] (one
// primary-key read of PostgreSQL, which also looks up the token's and its session's
// revocations): a revoked token or session, a disabled user or a token of an older security
// epoch (the password changed, or the user was disabled, since the login) is refused, and the
// roles and stores of the request are the user's current ones, not the token's. A refresh token keeps
// the security and scope epochs of its login and does not rotate once either changed.
//
// Refresh tokens are 256 random bits ("rt_…"), stored in Redis only as their SHA-256, with
// their user and session (family). Every refresh spends the token and issues a new one in the
// same session, atomically in a Lua script; a spent token presented again revokes the whole
// session (all its refresh tokens and access tokens, via the sid) and is reported as an
// authz.EventRefreshReused security event. Refresh tokens expire after 12 h unused, and a
// session after 7 days whatever happens.
//
// Logout revokes the access token's jti until it expires and its session. Revocations are
// written to PostgreSQL (table token_revocations, read with the access on every request, so
// a logout holds on every replica at once and survives a restart of posd), kept in-process,
// and written to Redis, where the refresh script refuses a revoked session's refresh tokens.
// A logout whose PostgreSQL write fails answers 503 and may be tried again.
//
// # Without Redis
//
// Redis being down (or POS_REDIS_URL empty) must not stop the tills, so:
//
//   - Login works: the access token is issued without a refresh token (refresh_token is
//     omitted); the client logs in again when it expires.
//   - Access tokens still verify by signature, expiry, and the user's access and the
//     revocations in PostgreSQL (so password, disable, role and store changes and logouts on
//     any replica still hold).
//   - Logout succeeds; its revocations are in PostgreSQL, and stay pending in-process until
//     they are written to Redis before the next refresh (a refresh fails rather than skip
//     them).
//   - Refresh fails CLOSED with [ErrUnavailable] (503): rotation and reuse detection cannot
//     be done safely without the shared store.
//   - Approvals issued during the outage are kept in-process and are single-use on this
//     replica only (a token must be consumed on the replica that issued it, which is where the
//     cashier's register is talking anyway). A token issued into Redis cannot be consumed
//     while Redis is down (503).
//   - Rate limits switch to an in-process GCRA-like token bucket per replica
//     ([FallbackLimiter]), so login stays brute-force protected; the switch is logged once per
//     outage and every fallback decision is counted in [Deps].Fallbacks.
//
// After a failure Redis is skipped for one second before it is tried again, so a dead Redis
// costs at most one dial timeout per second per component. Give the Redis client a short
// DialTimeout (≈250 ms) and DialerRetries of 1: go-redis's default of 5 dial attempts makes
// that one probing request wait about half a second.
//
// # Passwords
//
// argon2id via github.com/alexedwards/argon2id with [DefaultPasswordParams] (m=19 MiB, t=2,
// p=1), at most GOMAXPROCS hashes at a time. Unknown or disabled users are verified against a
// dummy hash, so response time does not reveal whether a username exists.
//
// # Rate limits
//
// Login and approval attempts: 5 per minute per IP and username (burst 5) and 30 per minute
// per IP, and per account an [AccountThrottle]: past 5 failed passwords the account waits 1 s,
// doubling per failure up to 30 s, except for addresses that logged in to it before.
// API: 20 requests per second per user (burst 40). Responses carry RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset; a 429 also carries Retry-After.
//
// # Wiring
//
// The composition root builds, in this order: a [KeySet] from POS_JWT_SECRET ([NewKey]),
// [Deps] (Redis client, logger, authz.SecurityRecorder, fallback counter), [NewTokens] with an
// [AccessSource], [NewPasswords], [NewApprovals], a [FallbackLimiter] with a [LocalLimiter], a
// [LoginGuard] with an [AccountThrottle],
// then [Handlers] registered on the authz.Routes, and the middleware
// Tokens.Authenticate(rs) followed by RateLimit(limiter, rs, DefaultAPILimit(), PerUserKey)
// around the router. Register [MapError] with httpx.NewResponder.
package auth
