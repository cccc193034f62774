package authz

import (
	"context"
	"errors"
	"slices"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	// UserID is the user's ID (the token's subject).
	UserID string
	// Roles are the user's roles.
	Roles []Role
	// StoreIDs are the stores the user may act in; empty means every store (see InStore).
	StoreIDs []string
	// TokenID is the access token's ID (jti), used to revoke it on logout.
	TokenID string
}

// principalKey is the context key of the Principal.
type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of ctx, if the request is authenticated.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// HasRole reports whether p has role r.
func (p Principal) HasRole(r Role) bool {
	return slices.Contains(p.Roles, r)
}

// InStore reports whether p may act in store storeID: it is in p.StoreIDs, or p.StoreIDs is
// empty and every role of p may span all stores.
func (p Principal) InStore(storeID string) bool {
	if len(p.StoreIDs) == 0 {
		return allStoreRoles(p.Roles)
	}
	return storeID != "" && slices.Contains(p.StoreIDs, storeID)
}

// GlobalRole reports whether role may have an empty store scope (every store): admin,
// auditor and analyst.
func GlobalRole(role Role) bool {
	return role == RoleAdmin || role == RoleAuditor || role == RoleAnalyst
}

// allStoreRoles reports whether roles is non-empty and every role is global.
func allStoreRoles(roles []Role) bool {
	if len(roles) == 0 {
		return false
	}
	for _, r := range roles {
		if !GlobalRole(r) {
			return false
		}
	}
	return true
}

// ErrStoreScopeRequired is returned by ValidateStoreScope for an empty store list on a user
// with a role bound to stores (manager, cashier).
var ErrStoreScopeRequired = errors.New("store_ids may be empty only for admin, auditor and analyst")

// ValidateStoreScope checks a user's roles and store list: an empty store list is allowed
// only when every role is global (admin, auditor, analyst).
func ValidateStoreScope(roles []Role, storeIDs []string) error {
	if len(storeIDs) == 0 && !allStoreRoles(roles) {
		return ErrStoreScopeRequired
	}
	return nil
}
