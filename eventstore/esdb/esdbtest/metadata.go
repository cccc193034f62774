package esdbtest

import (
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// metadataPrefix starts the name of a stream's metadata stream ("$$<stream>").
const metadataPrefix = "$$"

// metadataEventType is the type of the events of a metadata stream.
const metadataEventType = "$metadata"

// streamMetadata is the part of a stream's metadata that changes what reads of the stream
// return, as the server's index reader applies it: events older than maxAge, all but the last
// maxCount events and events below truncateBefore are hidden from stream reads and stream
// subscriptions (they stay in $all until a scavenge, which the emulator never runs). A stream
// whose events are all hidden this way still exists: reads answer with no events, not
// StreamNotFound.
type streamMetadata struct {
	MaxAge         *int64  `json:"$maxAge"` // seconds
	MaxCount       *uint64 `json:"$maxCount"`
	TruncateBefore *uint64 `json:"$tb"`
}

// metadataOf decodes the metadata event r if it is one: a "$metadata" event in a "$$" stream.
// It returns the stream the metadata is for. Metadata that is not JSON counts as empty, as the
// server ignores it.
func metadataOf(r *record) (string, streamMetadata, bool) {
	if r.eventType != metadataEventType || !strings.HasPrefix(r.stream, metadataPrefix) {
		return "", streamMetadata{}, false
	}
	var m streamMetadata
	if err := json.Unmarshal(r.data, &m); err != nil {
		m = streamMetadata{}
	}
	return strings.TrimPrefix(r.stream, metadataPrefix), m, true
}

// firstVisible returns the index of the first of a stream's records (records[i].revision == i,
// in the order they were written) that m does not hide at now, and that is not below from.
// Every bound is a lower bound on the revision, so the visible records are a suffix.
func (m streamMetadata) firstVisible(records []*record, from uint64, now time.Time) int {
	lo := from
	if m.TruncateBefore != nil {
		lo = max(lo, *m.TruncateBefore)
	}
	if n := uint64(len(records)); m.MaxCount != nil && n > *m.MaxCount {
		lo = max(lo, n-*m.MaxCount)
	}
	if lo >= uint64(len(records)) {
		return len(records)
	}
	i := int(lo)
	if m.MaxAge != nil {
		threshold := now.Add(-time.Duration(*m.MaxAge) * time.Second)
		i += sort.Search(len(records)-i, func(k int) bool { return !records[i+k].created.Before(threshold) })
	}
	return i
}
