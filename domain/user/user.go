package user

import (
	"fmt"
	"slices"
	"time"
	"unicode"

	"github.com/odata-pos/pos/domain/rules"
)

// Rule errors of the user aggregate.
var (
	// ErrDisabled: the user is disabled.
	ErrDisabled = &rules.RuleError{Code: "user_disabled", Msg: "user is disabled", Conflict: true}
)

// State is a user as folded from its events.
type State struct {
	ID       string
	Username string
	Roles    []string
	StoreIDs []string
	Disabled bool
	// Exists is true once the user is registered.
	Exists bool
}

// Command is a user command.
type Command interface{ isCommand() }

// RegisterUser creates a user. The caller has already reserved the username.
type RegisterUser struct {
	UserID   string
	Username string
	Roles    []string
	StoreIDs []string
}

// ChangeRoles replaces the user's roles.
type ChangeRoles struct {
	Roles []string
}

// ChangeStoreScope replaces the stores the user may act in.
type ChangeStoreScope struct {
	StoreIDs []string
}

// RecordPasswordChange records a new password (its hash is stored by the caller).
type RecordPasswordChange struct {
	ByAdmin bool
}

// Disable stops the user from logging in.
type Disable struct {
	Reason string
}

// Enable lets a disabled user log in again.
type Enable struct{}

func (RegisterUser) isCommand()         {}
func (ChangeRoles) isCommand()          {}
func (ChangeStoreScope) isCommand()     {}
func (RecordPasswordChange) isCommand() {}
func (Disable) isCommand()              {}
func (Enable) isCommand()               {}

// Decide turns a command into events.
func Decide(s State, c Command, _ time.Time) ([]Event, error) {
	if r, ok := c.(RegisterUser); ok {
		return register(s, r)
	}
	if !s.Exists {
		return nil, rules.ErrNotFound
	}
	switch c := c.(type) {
	case ChangeRoles:
		roles := normalizeSet(c.Roles)
		if err := validateScope(roles, s.StoreIDs, "roles"); err != nil {
			return nil, err
		}
		if slices.Equal(roles, s.Roles) {
			return nil, nil
		}
		return []Event{RolesChanged{UserID: s.ID, Roles: roles}}, nil
	case ChangeStoreScope:
		stores := normalizeSet(c.StoreIDs)
		if err := validateScope(s.Roles, stores, "store_ids"); err != nil {
			return nil, err
		}
		if slices.Equal(stores, s.StoreIDs) {
			return nil, nil
		}
		return []Event{StoreScopeChanged{UserID: s.ID, StoreIDs: stores}}, nil
	case RecordPasswordChange:
		if s.Disabled && !c.ByAdmin {
			return nil, ErrDisabled
		}
		return []Event{PasswordChanged{UserID: s.ID, ByAdmin: c.ByAdmin}}, nil
	case Disable:
		if s.Disabled {
			return nil, nil
		}
		return []Event{Disabled{UserID: s.ID, Reason: c.Reason}}, nil
	case Enable:
		if !s.Disabled {
			return nil, nil
		}
		return []Event{Enabled{UserID: s.ID}}, nil
	}
	return nil, rules.ErrUnknownCommand
}

func register(s State, c RegisterUser) ([]Event, error) {
	roles, stores := normalizeSet(c.Roles), normalizeSet(c.StoreIDs)
	var v rules.Validator
	v.Check(c.UserID != "", "id", "is required")
	if msg := usernameProblem(c.Username); msg != "" {
		v.Add("username", msg)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := validateScope(roles, stores, "roles"); err != nil {
		return nil, err
	}
	ev := Registered{UserID: c.UserID, Username: NormalizeUsername(c.Username), Roles: roles, StoreIDs: stores}
	if s.Exists {
		if s.Username == ev.Username && slices.Equal(s.Roles, roles) && slices.Equal(s.StoreIDs, stores) {
			return nil, nil // a retry of the same registration
		}
		return nil, rules.ErrAlreadyExists
	}
	return []Event{ev}, nil
}

// validateScope checks roles and store scope together.
func validateScope(roles, stores []string, field string) error {
	var v rules.Validator
	v.Check(len(roles) > 0, field, "at least one role is required")
	for i, r := range roles {
		v.Check(ValidRole(r), fmt.Sprintf("roles[%d]", i), fmt.Sprintf("unknown role %q", r))
	}
	for i, id := range stores {
		v.Check(id != "", fmt.Sprintf("store_ids[%d]", i), "is empty")
	}
	v.Check(len(stores) > 0 || MayHaveAllStores(roles), "store_ids", "managers and cashiers need at least one store")
	return v.Err()
}

// usernameProblem says what is wrong with a username, or "".
func usernameProblem(u string) string {
	n := NormalizeUsername(u)
	if len(n) < 3 || len(n) > 64 {
		return "must be 3 to 64 characters"
	}
	for _, r := range n {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '_' && r != '-' && r != '@' {
			return "may contain letters, digits and . _ - @ only"
		}
	}
	return ""
}

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case Registered:
		s = State{ID: e.UserID, Username: e.Username, Roles: e.Roles, StoreIDs: e.StoreIDs, Exists: true}
	case RolesChanged:
		s.Roles = e.Roles
	case StoreScopeChanged:
		s.StoreIDs = e.StoreIDs
	case Disabled:
		s.Disabled = true
	case Enabled:
		s.Disabled = false
	}
	return s
}
