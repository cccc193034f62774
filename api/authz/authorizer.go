package authz

import (
	"context"
	"net/http"
	"time"

	"github.com/odata-pos/pos/api/httpx"
)

// Error codes of authorization failures.
const (
	CodeUnauthenticated  = "unauthenticated"
	CodePermissionDenied = "permission_denied"
	CodeStoreForbidden   = "store_forbidden"
)

// Authorizer enforces the policy on requests whose principal authentication has put in the
// context.
type Authorizer struct {
	policy *Policy
	rs     *httpx.Responder
	sec    SecurityRecorder
	now    func() time.Time
}

// NewAuthorizer returns an Authorizer for policy that writes errors with rs and reports
// denials to sec.
func NewAuthorizer(policy *Policy, rs *httpx.Responder, sec SecurityRecorder) *Authorizer {
	return &Authorizer{policy: policy, rs: rs, sec: sec, now: time.Now}
}

// Policy returns the authorizer's policy.
func (a *Authorizer) Policy() *Policy { return a.policy }

// Guard returns the middleware that enforces access: Public lets everyone through,
// Authenticated needs a principal (401 otherwise), a permission needs a principal whose roles
// grant it (403 "permission_denied" otherwise, reported as a security event).
func (a *Authorizer) Guard(access Access) httpx.Middleware {
	return func(next http.Handler) http.Handler {
		if access.public {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if e := a.check(r, access); e != nil {
				if e.Kind == httpx.KindUnauthorized {
					w.Header().Set("WWW-Authenticate", `Bearer realm="pos"`)
				}
				a.rs.Error(w, r, e)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Require is Guard(Perm(perm)).
func (a *Authorizer) Require(perm Permission) httpx.Middleware {
	return a.Guard(Perm(perm))
}

// check returns the *httpx.Error that denies r, or nil.
func (a *Authorizer) check(r *http.Request, access Access) *httpx.Error {
	p, ok := PrincipalFrom(r.Context())
	if !ok {
		return httpx.Unauthorized(CodeUnauthenticated, "authentication required")
	}
	if access.perm == "" || a.policy.Allows(p.Roles, access.perm) {
		return nil
	}
	a.record(r.Context(), EventPermissionDenied, p.UserID, httpx.ClientIP(r), string(access.perm))
	return httpx.Forbidden(CodePermissionDenied, "missing permission "+string(access.perm))
}

// Allowed reports whether p's roles grant perm (for checks inside a handler).
func (a *Authorizer) Allowed(p Principal, perm Permission) bool {
	return a.policy.Allows(p.Roles, perm)
}

// CheckStore returns nil when the request's principal may act in storeID, a 401 error without
// a principal and a 403 "store_forbidden" error (reported as a security event) otherwise.
func (a *Authorizer) CheckStore(r *http.Request, storeID string) error {
	p, ok := PrincipalFrom(r.Context())
	if !ok {
		return httpx.Unauthorized(CodeUnauthenticated, "authentication required")
	}
	if p.InStore(storeID) {
		return nil
	}
	a.record(r.Context(), EventStoreDenied, p.UserID, httpx.ClientIP(r), "store "+storeID)
	return httpx.Forbidden(CodeStoreForbidden, "not allowed in this store")
}

// record reports a denial.
func (a *Authorizer) record(ctx context.Context, kind SecurityEventKind, userID, ip, detail string) {
	if a.sec == nil {
		return
	}
	a.sec.Record(ctx, SecurityEvent{Kind: kind, UserID: userID, IP: ip,
		RequestID: httpx.RequestIDFrom(ctx), Detail: detail, At: a.now()})
}
