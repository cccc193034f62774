package reservation

import (
	"time"

	"github.com/odata-pos/pos/domain/rules"
)

// Event type names.
const (
	TypeKeyClaimed  = "reservations.key_claimed.v1"
	TypeKeyReleased = "reservations.key_released.v1"
)

// ErrNotOwner: a release by someone who does not hold the key.
var ErrNotOwner = &rules.RuleError{Code: "not_owner", Msg: "the key is held by another owner", Conflict: true}

// Event is a reservation event.
type Event interface{ EventType() string }

// KeyClaimed records that Owner now holds Key.
type KeyClaimed struct {
	Key   string `json:"key"`
	Owner string `json:"owner"`
}

// KeyReleased records that Owner gave Key up.
type KeyReleased struct {
	Key   string `json:"key"`
	Owner string `json:"owner"`
}

// EventType returns TypeKeyClaimed.
func (KeyClaimed) EventType() string { return TypeKeyClaimed }

// EventType returns TypeKeyReleased.
func (KeyReleased) EventType() string { return TypeKeyReleased }

// Register makes the reservation events known to r.
func Register(r rules.Registry) {
	r.Register(TypeKeyClaimed, KeyClaimed{})
	r.Register(TypeKeyReleased, KeyReleased{})
}

// Command is a reservation command.
type Command interface{ isCommand() }

// Claim asks for Key on behalf of Owner.
type Claim struct {
	Key   string
	Owner string
}

// Release gives Key up on behalf of Owner.
type Release struct {
	Key   string
	Owner string
}

func (Claim) isCommand()   {}
func (Release) isCommand() {}

// State is who holds the key, if anyone.
type State struct {
	// Key is the reserved key.
	Key string
	// Owner is the holder; empty when the key is free.
	Owner string
}

// Decide claims or releases the key. Claiming a key one already holds, or releasing a free key,
// is a no-op so that retries are safe.
func Decide(s State, c Command, _ time.Time) ([]Event, error) {
	switch c := c.(type) {
	case Claim:
		var v rules.Validator
		v.Check(c.Key != "", "key", "is required")
		v.Check(c.Owner != "", "owner", "is required")
		if err := v.Err(); err != nil {
			return nil, err
		}
		switch s.Owner {
		case "":
			return []Event{KeyClaimed{Key: c.Key, Owner: c.Owner}}, nil
		case c.Owner:
			return nil, nil
		}
		return nil, rules.ErrDuplicate.With(c.Key)
	case Release:
		switch s.Owner {
		case "":
			return nil, nil
		case c.Owner:
			return []Event{KeyReleased{Key: s.Key, Owner: c.Owner}}, nil
		}
		return nil, ErrNotOwner
	}
	return nil, rules.ErrUnknownCommand
}

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case KeyClaimed:
		s.Key, s.Owner = e.Key, e.Owner
	case KeyReleased:
		s.Owner = ""
	}
	return s
}
