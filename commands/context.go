package commands

import (
	"strconv"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// Context says who issues a command, on whose approval, from where, and under which identity
// for idempotency. The API layer fills it from the request and the authenticated principal.
type Context struct {
	// ID identifies the command for idempotency: the same ID always yields the same event IDs.
	// Derive it from the client's IDs (a payment ID, a sale ID and the operation), never from
	// the wall clock.
	ID string
	// CorrelationID ties every event caused by one request together; CausationID names what
	// directly caused this command (a request ID, or an event ID for a policy).
	CorrelationID string
	CausationID   string
	UserID        string
	ApproverID    string
	StoreID       string
	RegisterID    string
	// OccurredAt is the client's time of the fact (may be in the past for offline uploads).
	OccurredAt time.Time
	// IfMatch, when set, makes the command conditional on the stream's current revision.
	IfMatch *uint64
	// After, when set, is a position in $all that the command's events, if it ran before,
	// must follow: it was decided only once the event at After had committed. Execute then
	// finds them even behind a snapshot (see Snapshotting).
	After eventstore.Position
	// Extra is copied into the events' metadata (request ID, policy name).
	Extra map[string]string
}

// metadata returns the envelope for the command's events.
func (c Context) metadata() eventstore.Metadata {
	return eventstore.Metadata{
		CorrelationID: c.CorrelationID,
		CausationID:   c.CausationID,
		CommandID:     c.ID,
		UserID:        c.UserID,
		ApproverID:    c.ApproverID,
		StoreID:       c.StoreID,
		RegisterID:    c.RegisterID,
		OccurredAt:    c.OccurredAt,
		Extra:         c.Extra,
	}
}

// eventID is the ID of the i-th event the command appends to stream.
func (c Context) eventID(stream string, i int) [16]byte {
	return eventstore.DeterministicID("command", c.ID, stream, strconv.Itoa(i))
}
