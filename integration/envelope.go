package integration

import (
	"encoding/json"
	"time"
)

// ContractVersion is the version of the envelope. It changes only when a field of Envelope
// changes meaning or disappears; new fields may be added within a version.
const ContractVersion = 1

// Envelope is the body of every published message (JSON).
type Envelope struct {
	// Version is ContractVersion.
	Version int `json:"version"`
	// ID is the event ID (a UUID), also the message ID: consumers deduplicate on it.
	ID string `json:"id"`
	// Type is the public event type, such as "sale.completed.v1".
	Type string `json:"type"`
	// Stream is the event's stream (one aggregate, such as "sale-<id>"); Revision its place in
	// that stream, starting at 0. Messages of one stream are published in revision order.
	Stream   string `json:"stream"`
	Revision uint64 `json:"revision"`
	// Position is the event's place in the store's global log ($all). Positions increase
	// strictly but are not contiguous.
	Position uint64 `json:"position"`
	// StoreID is the store (shop) the event belongs to, empty for chain-wide events.
	StoreID string `json:"store_id,omitempty"`
	// OccurredAt is the client's time of the fact (earlier than RecordedAt for an offline
	// register's uploads); RecordedAt the event store's time of the append.
	OccurredAt time.Time `json:"occurred_at"`
	RecordedAt time.Time `json:"recorded_at"`
	// CorrelationID ties together every event caused by one client request; CausationID is the
	// command or event that directly caused this one.
	CorrelationID string `json:"correlation_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
	// Data is the public rendering of the event (see the types of this package).
	Data json.RawMessage `json:"data"`
}

// Message is one event ready to publish: its envelope, encoded, and where it goes.
type Message struct {
	// ID is the event ID (the message UUID and the broker's deduplication ID).
	ID string
	// Type is the public event type.
	Type string
	// Stream and Position locate the event (for ordering and checkpoints).
	Stream   string
	Position uint64
	// StoreID is the store the event belongs to, empty for chain-wide events.
	StoreID string
	// Body is the JSON encoded Envelope.
	Body []byte
}

// Subject returns the subject (NATS) or routing key (RabbitMQ, and the Kafka topic's key
// prefix) of the message under prefix: "<prefix>.<type>.<store>", with "all" in place of the
// store for chain-wide events. For example pos.sale.completed.v1.5f0c…; consumers subscribe
// with wildcards (pos.sale.> in NATS, pos.sale.# in RabbitMQ).
func (m Message) Subject(prefix string) string {
	store := m.StoreID
	if store == "" {
		store = ChainWide
	}
	if prefix == "" {
		return m.Type + "." + store
	}
	return prefix + "." + m.Type + "." + store
}

// ChainWide is the store token of the subject of an event that belongs to no single store.
const ChainWide = "all"
