package authz_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/authz"
)

func TestDefaultTable(t *testing.T) {
	p := authz.DefaultPolicy()
	all := []authz.Role{authz.RoleAdmin, authz.RoleManager, authz.RoleCashier, authz.RoleAuditor, authz.RoleAnalyst}
	if got := p.Roles(); len(got) != len(all) {
		t.Fatalf("roles = %v", got)
	}
	tests := []struct {
		role  authz.Role
		perm  authz.Permission
		allow bool
	}{
		{authz.RoleAdmin, authz.UsersAdmin, true},
		{authz.RoleAdmin, authz.ProjectionsAdmin, true},
		{authz.RoleManager, authz.ApprovalsGrant, true},
		{authz.RoleManager, authz.CatalogWrite, true},
		{authz.RoleManager, authz.UsersAdmin, false},
		{authz.RoleManager, authz.AuditRead, false},
		{authz.RoleCashier, authz.SalesWrite, true},
		{authz.RoleCashier, authz.ReturnsWrite, true},
		{authz.RoleCashier, authz.ShiftsWrite, true},
		{authz.RoleCashier, authz.ApprovalsGrant, false},
		{authz.RoleCashier, authz.CatalogWrite, false},
		{authz.RoleCashier, authz.ReportsRead, false},
		{authz.RoleAuditor, authz.AuditRead, true},
		{authz.RoleAuditor, authz.SalesWrite, false},
		{authz.RoleAnalyst, authz.ReportsRead, true},
		{authz.RoleAnalyst, authz.AuditRead, false},
		{"intruder", authz.SalesRead, false},
	}
	for _, tt := range tests {
		if got := p.Allows([]authz.Role{tt.role}, tt.perm); got != tt.allow {
			t.Errorf("%s %s = %v, want %v", tt.role, tt.perm, got, tt.allow)
		}
	}
	for _, role := range []authz.Role{authz.RoleAuditor, authz.RoleAnalyst} {
		for _, perm := range p.Permissions(role) {
			if !strings.HasSuffix(string(perm), ".read") {
				t.Errorf("read-only role %s has %s", role, perm)
			}
		}
	}
	if !p.Allows([]authz.Role{authz.RoleAnalyst, authz.RoleCashier}, authz.SalesWrite) {
		t.Error("roles do not add up")
	}
}

func TestNewPolicyRejectsWritesForReadOnlyRoles(t *testing.T) {
	_, err := authz.NewPolicy(map[authz.Role][]authz.Permission{
		authz.RoleAuditor: {authz.AuditRead, authz.SalesWrite},
		authz.RoleAnalyst: {authz.StoresWrite},
		"":                {authz.SalesRead},
	})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"auditor granted sales.write", "analyst granted stores.write", "empty role"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestStoreScope(t *testing.T) {
	tests := []struct {
		name   string
		p      authz.Principal
		store  string
		inside bool
	}{
		{"cashier own store", authz.Principal{Roles: []authz.Role{authz.RoleCashier}, StoreIDs: []string{"A"}}, "A", true},
		{"cashier other store", authz.Principal{Roles: []authz.Role{authz.RoleCashier}, StoreIDs: []string{"A"}}, "B", false},
		{"cashier no scope", authz.Principal{Roles: []authz.Role{authz.RoleCashier}}, "A", false},
		{"manager two stores", authz.Principal{Roles: []authz.Role{authz.RoleManager}, StoreIDs: []string{"A", "B"}}, "B", true},
		{"admin all", authz.Principal{Roles: []authz.Role{authz.RoleAdmin}}, "Z", true},
		{"auditor all", authz.Principal{Roles: []authz.Role{authz.RoleAuditor}}, "Z", true},
		{"analyst all", authz.Principal{Roles: []authz.Role{authz.RoleAnalyst}}, "Z", true},
		{"analyst+cashier empty", authz.Principal{Roles: []authz.Role{authz.RoleAnalyst, authz.RoleCashier}}, "Z", false},
		{"no roles", authz.Principal{}, "A", false},
		{"empty store id", authz.Principal{Roles: []authz.Role{authz.RoleCashier}, StoreIDs: []string{"A"}}, "", false},
	}
	for _, tt := range tests {
		if got := tt.p.InStore(tt.store); got != tt.inside {
			t.Errorf("%s: InStore(%q) = %v", tt.name, tt.store, got)
		}
	}
	if err := authz.ValidateStoreScope([]authz.Role{authz.RoleCashier}, nil); !errors.Is(err, authz.ErrStoreScopeRequired) {
		t.Errorf("cashier without stores: %v", err)
	}
	if err := authz.ValidateStoreScope([]authz.Role{authz.RoleAdmin, authz.RoleAuditor}, nil); err != nil {
		t.Errorf("admin without stores: %v", err)
	}
	if err := authz.ValidateStoreScope([]authz.Role{authz.RoleManager}, []string{"A"}); err != nil {
		t.Errorf("manager of A: %v", err)
	}
}
