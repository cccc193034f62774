package user

import (
	"testing"
	"time"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/rules"
)

var decider = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}

func TestDecide(t *testing.T) {
	alice := Registered{UserID: "u1", Username: "alice", Roles: []string{"cashier"}, StoreIDs: []string{"s1"}}
	gwt.Run(t, decider, time.Unix(0, 0), []gwt.Case[Command, Event]{
		{Name: "a cashier of one store registers, username normalised",
			When: RegisterUser{UserID: "u1", Username: " Alice ", Roles: []string{"cashier", "cashier"}, StoreIDs: []string{"s1"}},
			Then: []Event{alice}},
		{Name: "an admin may have every store", When: RegisterUser{UserID: "u2", Username: "root", Roles: []string{"admin"}},
			Then: []Event{Registered{UserID: "u2", Username: "root", Roles: []string{"admin"}, StoreIDs: []string{}}}},
		{Name: "a cashier needs a store", When: RegisterUser{UserID: "u1", Username: "bob", Roles: []string{"cashier"}}, Err: rules.ErrValidation},
		{Name: "a manager needs a store", When: RegisterUser{UserID: "u1", Username: "bob", Roles: []string{"admin", "manager"}}, Err: rules.ErrValidation},
		{Name: "unknown roles are refused", When: RegisterUser{UserID: "u1", Username: "bob", Roles: []string{"root"}}, Err: rules.ErrValidation},
		{Name: "no roles is refused", When: RegisterUser{UserID: "u1", Username: "bob"}, Err: rules.ErrValidation},
		{Name: "usernames are 3 to 64 safe characters", When: RegisterUser{UserID: "u1", Username: "a'; DROP--", Roles: []string{"admin"}}, Err: rules.ErrValidation},
		{Name: "registering again identically is a no-op", Given: []Event{alice},
			When: RegisterUser{UserID: "u1", Username: "alice", Roles: []string{"cashier"}, StoreIDs: []string{"s1"}}},
		{Name: "registering again differently is refused", Given: []Event{alice},
			When: RegisterUser{UserID: "u1", Username: "alice", Roles: []string{"manager"}, StoreIDs: []string{"s1"}}, Err: rules.ErrAlreadyExists},
		{Name: "roles change", Given: []Event{alice}, When: ChangeRoles{Roles: []string{"manager", "cashier"}},
			Then: []Event{RolesChanged{UserID: "u1", Roles: []string{"cashier", "manager"}}}},
		{Name: "unchanged roles write nothing", Given: []Event{alice}, When: ChangeRoles{Roles: []string{"cashier"}}},
		{Name: "store scope cannot be emptied for a cashier", Given: []Event{alice}, When: ChangeStoreScope{}, Err: rules.ErrValidation},
		{Name: "store scope changes", Given: []Event{alice}, When: ChangeStoreScope{StoreIDs: []string{"s2", "s1"}},
			Then: []Event{StoreScopeChanged{UserID: "u1", StoreIDs: []string{"s1", "s2"}}}},
		{Name: "a password change is recorded without the secret", Given: []Event{alice}, When: RecordPasswordChange{},
			Then: []Event{PasswordChanged{UserID: "u1"}}},
		{Name: "a disabled user cannot change their own password", Given: []Event{alice, Disabled{UserID: "u1"}},
			When: RecordPasswordChange{}, Err: ErrDisabled},
		{Name: "an admin can reset a disabled user's password", Given: []Event{alice, Disabled{UserID: "u1"}},
			When: RecordPasswordChange{ByAdmin: true}, Then: []Event{PasswordChanged{UserID: "u1", ByAdmin: true}}},
		{Name: "disable", Given: []Event{alice}, When: Disable{Reason: "left"}, Then: []Event{Disabled{UserID: "u1", Reason: "left"}}},
		{Name: "disable twice is a no-op", Given: []Event{alice, Disabled{UserID: "u1"}}, When: Disable{}},
		{Name: "enable", Given: []Event{alice, Disabled{UserID: "u1"}}, When: Enable{}, Then: []Event{Enabled{UserID: "u1"}}},
		{Name: "commands on an unknown user", When: ChangeRoles{Roles: []string{"admin"}}, Err: rules.ErrNotFound},
	})
}

func TestEvolveFoldsTheUser(t *testing.T) {
	s := decider.Fold([]Event{
		Registered{UserID: "u1", Username: "alice", Roles: []string{"cashier"}, StoreIDs: []string{"s1"}},
		RolesChanged{UserID: "u1", Roles: []string{"manager"}},
		StoreScopeChanged{UserID: "u1", StoreIDs: []string{"s2"}},
		Disabled{UserID: "u1"},
	})
	if !s.Exists || !s.Disabled || s.Roles[0] != "manager" || s.StoreIDs[0] != "s2" || s.Username != "alice" {
		t.Fatalf("folded state = %+v", s)
	}
}
