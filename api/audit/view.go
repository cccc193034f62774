package audit

import (
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/odata-pos/pos/eventstore"
	evaudit "github.com/odata-pos/pos/eventstore/audit"
)

// EventView is an event as the audit API shows it.
type EventView struct {
	ID       string              `json:"id"`
	Type     string              `json:"type"`
	Stream   string              `json:"stream"`
	Revision uint64              `json:"revision"`
	Position eventstore.Position `json:"position"`
	Data     json.RawMessage     `json:"data"`
	// Metadata is exactly as stored (correlation, causation, command, user, approver, store,
	// register, occurred_at, extra).
	Metadata   json.RawMessage `json:"metadata"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	// Hash is the event's chain hash (hex).
	Hash string `json:"hash,omitempty"`
	// UploadDelaySeconds is recorded_at − occurred_at when positive: an offline upload shows
	// a large one.
	UploadDelaySeconds float64 `json:"upload_delay_seconds"`
	// OriginPosition is, for an event restored into a backend that gave it another position
	// (EventStoreDB), its position in the log it came from: audit seals name it by that.
	OriginPosition eventstore.Position `json:"origin_position,omitempty"`
}

// View renders e.
func View(e *eventstore.RecordedEvent) EventView {
	meta := e.RawMetadata
	if len(meta) == 0 {
		meta, _ = json.Marshal(e.Metadata)
	}
	occurred := evaudit.OccurredAt(e)
	v := EventView{
		ID: e.ID.String(), Type: e.Type, Stream: e.Stream, Revision: e.Revision, Position: e.Position,
		Data: e.Data, Metadata: meta, OccurredAt: occurred, RecordedAt: e.RecordedAt,
		Hash: hex.EncodeToString(e.Hash), OriginPosition: e.OriginPosition,
	}
	if d := e.RecordedAt.Sub(occurred); d > 0 {
		v.UploadDelaySeconds = d.Seconds()
	}
	return v
}

func views(evs []eventstore.RecordedEvent) []EventView {
	out := make([]EventView, len(evs))
	for i := range evs {
		out[i] = View(&evs[i])
	}
	return out
}
