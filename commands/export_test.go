package commands

import (
	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// GuessTaxCode makes s remember code as productID's tax code, as if an earlier sale had read
// the product with it (see taxCodeIDs.codeOf).
func (s *Sales) GuessTaxCode(productID uuid.UUID, code string) { s.taxCodes.putCodeOf(productID, code) }

// Encode is encode (the EventData a command's decided events are appended as).
func Encode(codec *eventstore.Codec, stream string, cmd Context, events []any) ([]eventstore.EventData, error) {
	return encode(codec, stream, cmd, events)
}
