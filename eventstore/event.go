package eventstore

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Metadata is the envelope every event carries beside its data. It says who caused the event,
// on whose approval, from which store and register, and when it happened on the client.
type Metadata struct {
	// CorrelationID ties together every event caused, directly or not, by one client request.
	CorrelationID string `json:"correlation_id,omitempty"`
	// CausationID is the ID of the command or event that directly caused this event.
	CausationID string `json:"causation_id,omitempty"`
	// CommandID is the ID of the command whose handling recorded this event.
	CommandID string `json:"command_id,omitempty"`
	// UserID is the authenticated user who issued the command.
	UserID string `json:"user_id,omitempty"`
	// ApproverID is the manager who approved the command, when one had to.
	ApproverID string `json:"approver_id,omitempty"`
	// StoreID and RegisterID say where the command was issued.
	StoreID    string `json:"store_id,omitempty"`
	RegisterID string `json:"register_id,omitempty"`
	// OccurredAt is the client's time of the fact; it may lie in the past for offline uploads.
	OccurredAt time.Time `json:"occurred_at,omitzero"`
	// Extra holds further string attributes (for example the request ID or a policy name).
	Extra map[string]string `json:"extra,omitempty"`
}

// EventData is an event to append.
type EventData struct {
	// ID identifies the event; retrying an append with the same IDs writes nothing twice.
	// Derive it deterministically from the client's IDs (see DeterministicID).
	ID uuid.UUID
	// Type is a stable, versioned name such as "sales.sale_completed.v1".
	Type string
	// Data is the event body as JSON.
	Data json.RawMessage
	// Metadata is the event's envelope.
	Metadata Metadata
	// ValidJSON is set by an encoder that guarantees Data is valid JSON: json.Marshal's
	// output, as Codec.Encode gives it. A backend may then skip its own check of Data before
	// the append (pgstore does: PostgreSQL's json input checks it again, and a refusal is still
	// ErrInvalidAppend with nothing written); data from anywhere else leaves it false.
	ValidJSON bool
}

// RecordedEvent is an event as stored.
type RecordedEvent struct {
	ID       uuid.UUID
	Type     string
	Stream   string
	Revision uint64
	// Position is the event's place in $all; strictly increasing across the whole log.
	Position Position
	Data     json.RawMessage
	Metadata Metadata
	// RecordedAt is the store's own time of the append.
	RecordedAt time.Time
	// RawMetadata is the metadata exactly as stored (the bytes the chain hash covers; without
	// the backend's own chain member, see eventstore/chain). Empty when a backend cannot tell.
	RawMetadata json.RawMessage
	// Hash is the event's tamper-evidence chain hash (eventstore/chain), nil when the event
	// was stored without one.
	Hash []byte
	// ValidJSON is set by a backend that guarantees Data and RawMetadata are JSON as RFC 8259
	// defines it, in valid UTF-8: PostgreSQL, whose json columns refuse anything else on
	// insert (leading zeros, trailing commas, raw control characters…) in a UTF8 database
	// (migration 0002 checks it). Decoding then skips its own check (Codec.DecodeEvent), the
	// larger half of a decode's CPU. EventStoreDB stores any bytes a client sent.
	ValidJSON bool
	// OriginPosition is the position the event had in the log it was restored from, when the
	// backend had to give it another (EventStoreDB assigns positions itself); zero otherwise.
	// Audit seals name events by AuditPosition.
	OriginPosition Position
}

// AuditPosition is the position under which the event was first recorded: OriginPosition
// when the event was restored into a backend that could not keep its position, else
// Position. Audit checkpoints and seals fold and name events by it, so that they still verify
// after a move to another backend.
func (e *RecordedEvent) AuditPosition() Position {
	if e.OriginPosition != 0 {
		return e.OriginPosition
	}
	return e.Position
}

// AppendResult reports where an append landed.
type AppendResult struct {
	// Revision is the stream revision of the last event appended.
	Revision uint64
	// Position is the $all position of the last event appended.
	Position Position
}

// namespaceEventID is the UUID namespace of DeterministicID.
var namespaceEventID = uuid.MustParse("6f1d4a9e-4a3b-5c2e-9d0f-0b9c5e8a7d21")

// DeterministicID derives an event ID from stable parts (a client-generated command or entity
// ID, the kind of fact, an index). The same parts always give the same ID, so a retried command
// or a policy that runs twice appends the same event IDs and the store writes them once.
func DeterministicID(parts ...string) uuid.UUID {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
		b = append(b, 0)
	}
	return uuid.NewSHA1(namespaceEventID, b)
}
