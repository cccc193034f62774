package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
)

// claimsKey is the context key of the verified access-token claims.
type claimsKey struct{}

// ClaimsFrom returns the verified access-token claims of the request, if any.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

// Authenticate verifies a bearer access token when the request carries one and puts its
// claims and the authz.Principal in the context (and the user ID in the access log). A
// request without Authorization passes anonymous (authz then refuses it on non-public
// routes); a bad token is refused with 401 and WWW-Authenticate, even on public routes, and
// a request whose user's access cannot be read (PostgreSQL down) with 503.
func (t *Tokens) Authenticate(rs *httpx.Responder) httpx.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			if h == "" {
				next.ServeHTTP(w, r)
				return
			}
			scheme, raw, ok := strings.Cut(h, " ")
			var claims *Claims
			err := ErrTokenInvalid
			if ok && strings.EqualFold(scheme, "Bearer") && raw != "" && len(raw) < 8192 {
				claims, err = t.Verify(r.Context(), strings.TrimSpace(raw))
			}
			if errors.Is(err, ErrAccessUnavailable) {
				rs.Error(w, r, asHTTP(err))
				return
			}
			if err != nil {
				t.deps.record(r.Context(), authz.SecurityEvent{Kind: authz.EventTokenRejected,
					IP: httpx.ClientIP(r), Detail: rejectReason(err)})
				w.Header().Set("WWW-Authenticate", `Bearer realm="pos", error="invalid_token"`)
				rs.Error(w, r, asHTTP(err))
				return
			}
			ctx := context.WithValue(r.Context(), claimsKey{}, claims)
			ctx = authz.WithPrincipal(ctx, claims.Principal())
			httpx.SetUserID(ctx, claims.Subject)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// rejectReason names why a token was refused, for the security log.
func rejectReason(err error) string {
	switch {
	case errors.Is(err, ErrTokenExpired):
		return "expired"
	case errors.Is(err, ErrTokenRevoked):
		return "revoked: " + strings.TrimPrefix(err.Error(), ErrTokenRevoked.Error()+": ")
	default:
		return "invalid"
	}
}
