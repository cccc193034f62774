package pgstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odata-pos/pos/eventstore"
)

// streamRow is one row of a stream read (readStreamForwardSQL, readStreamBackwardSQL,
// readStreamsSQL): the stream's state, and one of its events when the page holds any.
type streamRow struct {
	deleted    bool
	streamRev  int64
	pos, rev   *int64
	id         pgtype.UUID
	recordedAt *time.Time
	typ        *string
	data, meta []byte
	hash       []byte
}

// targets are the scan destinations of the row's columns after any leading ones.
func (r *streamRow) targets(leading ...any) []any {
	return append(leading, &r.deleted, &r.streamRev, &r.pos, &r.id, &r.rev, &r.typ, &r.data, &r.meta, &r.recordedAt, &r.hash)
}

// event is the row's event of stream, if it carries one. Its metadata is decoded unless
// rawOnly: RawMetadata always holds the stored bytes.
func (r *streamRow) event(stream string, rawOnly bool) (eventstore.RecordedEvent, bool, error) {
	if r.deleted || r.pos == nil || r.rev == nil || r.typ == nil || r.recordedAt == nil {
		return eventstore.RecordedEvent{}, false, nil
	}
	ev := eventstore.RecordedEvent{
		ID: r.id.Bytes, Type: *r.typ, Stream: stream, Revision: uint64(*r.rev),
		Position: eventstore.Position(*r.pos), Data: json.RawMessage(r.data), RecordedAt: *r.recordedAt,
		RawMetadata: json.RawMessage(r.meta), Hash: r.hash,
		ValidJSON: true, // json columns (see eventstore.RecordedEvent.ValidJSON)
	}
	if !rawOnly {
		if err := eventstore.DecodeMetadata(r.meta, &ev.Metadata, true); err != nil {
			return ev, false, fmt.Errorf("decode metadata of event %d: %w", ev.Revision, err)
		}
	}
	return ev, true, nil
}
