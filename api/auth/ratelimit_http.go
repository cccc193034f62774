package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
)

// DefaultAPILimit is the per-user API rate: 20 requests per second, bursts of 40.
func DefaultAPILimit() Limit { return PerSecond(20, 40) }

// SetRateLimitHeaders writes RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset
// (seconds) for res, and Retry-After when the request was refused.
func SetRateLimitHeaders(w http.ResponseWriter, res Result) {
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(res.Limit.Burst))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(res.Remaining, 0)))
	h.Set("RateLimit-Reset", strconv.FormatInt(ceilSecondsMin0(res.ResetAfter), 10))
	if !res.Allowed {
		h.Set("Retry-After", strconv.FormatInt(max(ceilSecondsMin0(res.RetryAfter), 1), 10))
	}
}

// ceilSecondsMin0 rounds d up to whole seconds.
func ceilSecondsMin0(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

// KeyFunc returns the rate-limit key of a request.
type KeyFunc func(r *http.Request) string

// PerUserKey keys authenticated requests by user ID and anonymous ones by client IP.
func PerUserKey(r *http.Request) string {
	if p, ok := authz.PrincipalFrom(r.Context()); ok {
		return "user:" + p.UserID
	}
	return "ip:" + httpx.ClientIP(r)
}

// RateLimit limits requests per key (PerUserKey for the API) to limit, with RateLimit-*
// headers on every response and 429 with Retry-After when over. It must run after the
// authentication middleware so that the user is known.
func RateLimit(l Limiter, rs *httpx.Responder, limit Limit, key KeyFunc) httpx.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			res, err := l.Allow(r.Context(), "api:"+key(r), limit)
			if err != nil {
				// A Limiter that fails (FallbackLimiter never does) must not take the API down.
				rs.Logger().WarnContext(r.Context(), "rate limiter failed, request let through", "error", err)
				next.ServeHTTP(w, r)
				return
			}
			SetRateLimitHeaders(w, res)
			if !res.Allowed {
				rs.Error(w, r, httpx.TooManyRequests(res.RetryAfter))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// LoginLimits are the brute-force limits of login and approval requests.
type LoginLimits struct {
	// PerIPUser limits attempts for one username from one IP; default 5 per minute, burst 5.
	PerIPUser Limit
	// PerIP limits attempts from one IP over all usernames (password spraying); default 30 per
	// minute, burst 30.
	PerIP Limit
}

// DefaultLoginLimits returns the default login limits.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{PerIPUser: PerMinute(5, 5), PerIP: PerMinute(30, 30)}
}

// LoginGuard applies the login limits per address and the per-account throttle. Every
// attempt counts against the address limits, successful or not; failed passwords count
// against the account (see AccountThrottle).
type LoginGuard struct {
	l        Limiter
	limits   LoginLimits
	accounts *AccountThrottle
}

// NewLoginGuard returns a guard applying limits with l (use a FallbackLimiter, so login stays
// protected without Redis) and throttling accounts with accounts (nil: no account throttle).
func NewLoginGuard(l Limiter, accounts *AccountThrottle, limits LoginLimits) *LoginGuard {
	return &LoginGuard{l: l, limits: limits, accounts: accounts}
}

// Failed counts a failed password for username (an unknown username counts alike, so the
// throttle does not tell which names exist).
func (g *LoginGuard) Failed(ctx context.Context, username string) {
	if g.accounts != nil {
		g.accounts.Failed(ctx, username)
	}
}

// Succeeded clears username's failures and remembers ip as an address it logs in from.
func (g *LoginGuard) Succeeded(ctx context.Context, ip, username string) {
	if g.accounts != nil {
		g.accounts.Succeeded(ctx, username, ip)
	}
}

// Admit is Check for a handler: it writes the RateLimit headers and returns a 429 error
// (with Retry-After) when the attempt must not go on.
func (g *LoginGuard) Admit(w http.ResponseWriter, r *http.Request, username string) error {
	res, err := g.Check(r.Context(), httpx.ClientIP(r), username)
	if err != nil {
		return err
	}
	SetRateLimitHeaders(w, res)
	if !res.Allowed {
		return httpx.TooManyRequests(res.RetryAfter)
	}
	return nil
}

// Check counts one attempt of username from ip and returns the most restrictive result; an
// account still waiting after failed passwords is refused (unless ip logged in to it before)
// without counting. Usernames are compared case-insensitively and hashed into the key.
func (g *LoginGuard) Check(ctx context.Context, ip, username string) (Result, error) {
	if g.accounts != nil {
		if wait := g.accounts.Wait(ctx, username, ip); wait > 0 {
			return Result{Limit: g.limits.PerIPUser, RetryAfter: wait, ResetAfter: wait}, nil
		}
	}
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(username))))
	user := hex.EncodeToString(sum[:12])
	byUser, err := g.l.Allow(ctx, "login:ipuser:"+ip+":"+user, g.limits.PerIPUser)
	if err != nil {
		return Result{}, err
	}
	byIP, err := g.l.Allow(ctx, "login:ip:"+ip, g.limits.PerIP)
	if err != nil {
		return Result{}, err
	}
	switch {
	case !byUser.Allowed:
		return byUser, nil
	case !byIP.Allowed:
		return byIP, nil
	case byIP.Remaining < byUser.Remaining:
		return byIP, nil
	default:
		return byUser, nil
	}
}
