package esdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// originKey is the reserved member of a restored event's user metadata that keeps what
// EventStoreDB cannot take from a client: the event's position in the log it was restored
// from and its original recorded time (the server sets its own created time). It comes just
// before chain.MetadataKey and, like it, is not covered by the chain hash.
const originKey = "$origin"

// originPrefix starts the member; a string value inside the metadata cannot contain it,
// because its quotes would be escaped.
const originPrefix = `"` + originKey + `":{"position":`

// origin is the member's value.
type origin struct {
	Position   eventstore.Position `json:"position"`
	RecordedAt time.Time           `json:"recorded_at"`
}

// joinOrigin returns metadata (a JSON object) with the origin member added last.
func joinOrigin(metadata []byte, o origin) ([]byte, error) {
	if len(metadata) < 2 || metadata[0] != '{' || metadata[len(metadata)-1] != '}' {
		return nil, errors.New("metadata must be a JSON object")
	}
	v, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(metadata)+len(originKey)+len(v)+4)
	out = append(out, metadata[:len(metadata)-1]...)
	if len(bytes.TrimSpace(metadata[1:len(metadata)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(out, `"`+originKey+`":`...)
	out = append(out, v...)
	return append(out, '}'), nil
}

// splitOrigin undoes joinOrigin: it returns the original metadata bytes and the origin, and
// false (with stored unchanged) when stored has no origin member.
func splitOrigin(stored []byte) ([]byte, origin, bool) {
	var o origin
	at := bytes.LastIndex(stored, []byte(originPrefix))
	if at < 1 || len(stored) < 2 || stored[len(stored)-1] != '}' {
		return stored, o, false
	}
	if err := json.Unmarshal(stored[at+len(originKey)+3:len(stored)-1], &o); err != nil || o.Position == 0 {
		return stored, o, false
	}
	out := make([]byte, 0, at+1)
	out = append(out, stored[:at]...)
	if n := len(out); n > 0 && out[n-1] == ',' {
		out = out[:n-1]
	}
	return append(out, '}'), o, true
}
