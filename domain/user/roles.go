package user

import (
	"slices"
	"strings"
)

// Roles a user can hold.
const (
	RoleAdmin   = "admin"
	RoleManager = "manager"
	RoleCashier = "cashier"
	RoleAuditor = "auditor"
	RoleAnalyst = "analyst"
)

// AllRoles lists every role in a stable order.
var AllRoles = []string{RoleAdmin, RoleManager, RoleCashier, RoleAuditor, RoleAnalyst}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return slices.Contains(AllRoles, r) }

// MayHaveAllStores reports whether a user with these roles may have an empty store scope
// (meaning every store): only admins, auditors and analysts may.
func MayHaveAllStores(roles []string) bool {
	for _, r := range roles {
		if r == RoleManager || r == RoleCashier {
			return false
		}
	}
	return true
}

// NormalizeUsername is the form under which usernames are compared and reserved.
func NormalizeUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

// normalizeSet sorts and deduplicates a list of roles or store IDs.
func normalizeSet(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}
