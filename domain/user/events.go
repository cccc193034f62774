package user

import "github.com/odata-pos/pos/domain/rules"

// Event type names: stable and versioned, never derived from Go type names.
const (
	TypeRegistered        = "users.user_registered.v1"
	TypeRolesChanged      = "users.roles_changed.v1"
	TypeStoreScopeChanged = "users.store_scope_changed.v1"
	TypePasswordChanged   = "users.password_changed.v1"
	TypeDisabled          = "users.user_disabled.v1"
	TypeEnabled           = "users.user_enabled.v1"
)

// Event is a user event.
type Event interface{ EventType() string }

// Registered records a new user.
type Registered struct {
	UserID   string   `json:"user_id"`
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
	StoreIDs []string `json:"store_ids"`
}

// RolesChanged records the user's new set of roles.
type RolesChanged struct {
	UserID string   `json:"user_id"`
	Roles  []string `json:"roles"`
}

// StoreScopeChanged records the stores the user may now act in (empty: every store).
type StoreScopeChanged struct {
	UserID   string   `json:"user_id"`
	StoreIDs []string `json:"store_ids"`
}

// PasswordChanged records that the password was set; the hash itself is kept elsewhere.
type PasswordChanged struct {
	UserID string `json:"user_id"`
	// ByAdmin is true when an admin reset it rather than the user changing it.
	ByAdmin bool `json:"by_admin"`
}

// Disabled records that the user may no longer log in.
type Disabled struct {
	UserID string `json:"user_id"`
	Reason string `json:"reason,omitempty"`
}

// Enabled records that a disabled user may log in again.
type Enabled struct {
	UserID string `json:"user_id"`
}

// EventType returns the event's stable name.
func (Registered) EventType() string { return TypeRegistered }

// EventType returns the event's stable name.
func (RolesChanged) EventType() string { return TypeRolesChanged }

// EventType returns the event's stable name.
func (StoreScopeChanged) EventType() string { return TypeStoreScopeChanged }

// EventType returns the event's stable name.
func (PasswordChanged) EventType() string { return TypePasswordChanged }

// EventType returns the event's stable name.
func (Disabled) EventType() string { return TypeDisabled }

// EventType returns the event's stable name.
func (Enabled) EventType() string { return TypeEnabled }

// Register makes the user events known to r.
func Register(r rules.Registry) {
	r.Register(TypeRegistered, Registered{})
	r.Register(TypeRolesChanged, RolesChanged{})
	r.Register(TypeStoreScopeChanged, StoreScopeChanged{})
	r.Register(TypePasswordChanged, PasswordChanged{})
	r.Register(TypeDisabled, Disabled{})
	r.Register(TypeEnabled, Enabled{})
}
