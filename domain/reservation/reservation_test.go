package reservation

import (
	"testing"
	"time"

	"github.com/odata-pos/pos/domain/internal/gwt"
	"github.com/odata-pos/pos/domain/rules"
)

var decider = gwt.Decider[State, Command, Event]{Decide: Decide, Evolve: Evolve}

func TestDecide(t *testing.T) {
	claimed := KeyClaimed{Key: "sku:A1", Owner: "p1"}
	gwt.Run(t, decider, time.Unix(0, 0), []gwt.Case[Command, Event]{
		{Name: "a free key is claimed", When: Claim{"sku:A1", "p1"}, Then: []Event{claimed}},
		{Name: "claiming one's own key again is a no-op", Given: []Event{claimed}, When: Claim{"sku:A1", "p1"}},
		{Name: "a key held by another owner is a duplicate", Given: []Event{claimed}, When: Claim{"sku:A1", "p2"}, Err: rules.ErrDuplicate},
		{Name: "the owner releases", Given: []Event{claimed}, When: Release{"sku:A1", "p1"}, Then: []Event{KeyReleased{"sku:A1", "p1"}}},
		{Name: "another owner cannot release", Given: []Event{claimed}, When: Release{"sku:A1", "p2"}, Err: ErrNotOwner},
		{Name: "a released key can be claimed by someone else", Given: []Event{claimed, KeyReleased{"sku:A1", "p1"}}, When: Claim{"sku:A1", "p2"}, Then: []Event{KeyClaimed{"sku:A1", "p2"}}},
		{Name: "releasing a free key is a no-op", When: Release{"sku:A1", "p1"}},
		{Name: "a claim needs a key and an owner", When: Claim{}, Err: rules.ErrValidation},
	})
}
