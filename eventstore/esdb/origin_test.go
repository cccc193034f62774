package esdb

import (
	"bytes"
	"testing"
	"time"
)

// TestOriginRoundTrip: the origin member comes off exactly as it went on, and metadata that
// only quotes the member's text inside a string keeps it.
func TestOriginRoundTrip(t *testing.T) {
	o := origin{Position: 42, RecordedAt: time.Date(2025, 3, 30, 1, 59, 59, 123456000, time.UTC)}
	for _, meta := range []string{`{}`, `{"user_id":"u1","extra":{"note":"\"$origin\":{\"position\":7}"}}`} {
		joined, err := joinOrigin([]byte(meta), o)
		if err != nil {
			t.Fatal(err)
		}
		raw, got, ok := splitOrigin(joined)
		if !ok || !bytes.Equal(raw, []byte(meta)) || got.Position != o.Position || !got.RecordedAt.Equal(o.RecordedAt) {
			t.Fatalf("%s → %s → %s %+v %v", meta, joined, raw, got, ok)
		}
		if raw, _, ok := splitOrigin([]byte(meta)); ok || !bytes.Equal(raw, []byte(meta)) {
			t.Fatalf("metadata without an origin was split: %s", raw)
		}
	}
}

// FuzzSplitOrigin: any stored metadata is either left alone or split into an origin and
// metadata that joins back to it.
func FuzzSplitOrigin(f *testing.F) {
	f.Add([]byte(`{"a":1,"$origin":{"position":5,"recorded_at":"2025-01-01T00:00:00Z"}}`))
	f.Add([]byte(`{"$origin":{"position":`))
	f.Fuzz(func(t *testing.T, stored []byte) {
		raw, o, ok := splitOrigin(stored)
		if !ok {
			if !bytes.Equal(raw, stored) {
				t.Fatalf("unsplit metadata changed: %q → %q", stored, raw)
			}
			return
		}
		if o.Position == 0 || len(raw) < 2 || raw[0] != '{' && len(stored) > 0 && stored[0] == '{' {
			t.Fatalf("split %q into %q %+v", stored, raw, o)
		}
	})
}
