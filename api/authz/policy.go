package authz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Role is a user role.
type Role string

// The roles of the POS.
const (
	RoleAdmin   Role = "admin"
	RoleManager Role = "manager"
	RoleCashier Role = "cashier"
	RoleAuditor Role = "auditor"
	RoleAnalyst Role = "analyst"
)

// Permission is the right to call a group of routes. Read permissions end in ".read".
type Permission string

// The permissions of the API.
const (
	SalesRead        Permission = "sales.read"
	SalesWrite       Permission = "sales.write"
	ReturnsRead      Permission = "returns.read"
	ReturnsWrite     Permission = "returns.write"
	ShiftsRead       Permission = "shifts.read"
	ShiftsWrite      Permission = "shifts.write"
	InventoryRead    Permission = "inventory.read"
	InventoryWrite   Permission = "inventory.write"
	CatalogRead      Permission = "catalog.read"
	CatalogWrite     Permission = "catalog.write"
	StoresRead       Permission = "stores.read"
	StoresWrite      Permission = "stores.write"
	UsersRead        Permission = "users.read"
	UsersAdmin       Permission = "users.admin"
	ReportsRead      Permission = "reports.read"
	AuditRead        Permission = "audit.read"
	ProjectionsRead  Permission = "projections.read"
	ProjectionsAdmin Permission = "projections.admin"
	ApprovalsGrant   Permission = "approvals.grant"
)

// DefaultTable returns the role → permission table of the POS as data (a fresh copy each
// call). Auditors and analysts only get read permissions.
func DefaultTable() map[Role][]Permission {
	reads := []Permission{SalesRead, ReturnsRead, ShiftsRead, InventoryRead, CatalogRead, StoresRead}
	return map[Role][]Permission{
		RoleAdmin: {SalesRead, SalesWrite, ReturnsRead, ReturnsWrite, ShiftsRead, ShiftsWrite,
			InventoryRead, InventoryWrite, CatalogRead, CatalogWrite, StoresRead, StoresWrite,
			UsersRead, UsersAdmin, ReportsRead, AuditRead, ProjectionsRead, ProjectionsAdmin, ApprovalsGrant},
		RoleManager: append(slices.Clone(reads), SalesWrite, ReturnsWrite, ShiftsWrite,
			InventoryWrite, CatalogWrite, ReportsRead, ApprovalsGrant),
		RoleCashier: append(slices.Clone(reads), SalesWrite, ReturnsWrite, ShiftsWrite),
		RoleAuditor: append(slices.Clone(reads), UsersRead, ReportsRead, AuditRead, ProjectionsRead),
		RoleAnalyst: append(slices.Clone(reads), ReportsRead, ProjectionsRead),
	}
}

// Policy answers whether roles grant a permission. It is immutable once built.
type Policy struct {
	grants map[Role]map[Permission]bool
}

// DefaultPolicy returns the policy of DefaultTable.
func DefaultPolicy() *Policy {
	p, err := NewPolicy(DefaultTable())
	if err != nil {
		panic(err) // the default table is a constant of this package; a test covers it
	}
	return p
}

// NewPolicy builds a policy from a role → permission table. It rejects empty roles and
// permissions, and read-only roles (auditor, analyst) holding a non-read permission.
func NewPolicy(table map[Role][]Permission) (*Policy, error) {
	var errs []error
	grants := make(map[Role]map[Permission]bool, len(table))
	for role, perms := range table {
		if role == "" {
			errs = append(errs, errors.New("policy: empty role"))
			continue
		}
		set := make(map[Permission]bool, len(perms))
		for _, p := range perms {
			if p == "" {
				errs = append(errs, fmt.Errorf("policy: role %s: empty permission", role))
			}
			if ReadOnly(role) && !strings.HasSuffix(string(p), ".read") {
				errs = append(errs, fmt.Errorf("policy: read-only role %s granted %s", role, p))
			}
			set[p] = true
		}
		grants[role] = set
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Policy{grants: grants}, nil
}

// ReadOnly reports whether role may only hold read permissions (auditor, analyst).
func ReadOnly(role Role) bool {
	return role == RoleAuditor || role == RoleAnalyst
}

// Allows reports whether any of roles grants perm.
func (p *Policy) Allows(roles []Role, perm Permission) bool {
	for _, r := range roles {
		if p.grants[r][perm] {
			return true
		}
	}
	return false
}

// Roles returns the roles of the policy, sorted.
func (p *Policy) Roles() []Role {
	roles := make([]Role, 0, len(p.grants))
	for r := range p.grants {
		roles = append(roles, r)
	}
	slices.Sort(roles)
	return roles
}

// Permissions returns the permissions role grants, sorted.
func (p *Policy) Permissions(role Role) []Permission {
	perms := make([]Permission, 0, len(p.grants[role]))
	for perm := range p.grants[role] {
		perms = append(perms, perm)
	}
	slices.Sort(perms)
	return perms
}

// KnownRole reports whether role is in the policy.
func (p *Policy) KnownRole(role Role) bool {
	_, ok := p.grants[role]
	return ok
}
