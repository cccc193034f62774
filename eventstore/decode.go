package eventstore

import (
	"encoding/json"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// DecodeMetadata decodes an event's stored metadata into m exactly as json.Unmarshal does, in
// less CPU (see unmarshal). Backends decode every event they read with it; valid is set by a
// backend that guarantees the bytes are valid JSON in valid UTF-8 (RecordedEvent.ValidJSON).
func DecodeMetadata(raw []byte, m *Metadata, valid bool) error {
	return unmarshal(raw, m, valid)
}

// UnmarshalJSON decodes data into v exactly as json.Unmarshal does, in less CPU (see
// unmarshal); the command layer decodes aggregate snapshots with it.
func UnmarshalJSON(data []byte, v any) error {
	return unmarshal(data, v, false)
}

// unmarshal decodes data into v exactly as encoding/json's Unmarshal does, in about half its
// CPU and a fifth of its allocations: every event a process handles is decoded, by the command
// that loads its stream, the policies and the read models, and encoding/json was the largest
// single cost of a sale in posd. go-json gives the same values for valid JSON
// (TestCodecDecodesAsEncodingJSON in commands checks every registered event type), but it
// skips what it does not decode without checking it and is lax about numbers, so the data
// must first pass encoding/json's own check (json.Valid): what Unmarshal rejects stays an
// error. Invalid UTF-8, which Unmarshal turns into U+FFFD and go-json keeps, cannot come from
// json.Marshal; such data, and data that is not valid JSON, goes to Unmarshal itself, for the
// same value or the same error. Keys are expected in the case of their field's tag, as
// json.Marshal writes them (go-json does not match a key in another case to a field of an
// embedded struct, where Unmarshal would). valid skips the check for data its backend vouches
// for (RecordedEvent.ValidJSON).
func unmarshal(data []byte, v any, valid bool) error {
	if !valid && (!utf8.Valid(data) || !json.Valid(data)) {
		return json.Unmarshal(data, v)
	}
	return gojson.Unmarshal(data, v)
}
