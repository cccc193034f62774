package eventstore

import (
	"slices"
	"strings"
)

// Filter selects the events of an $all read or subscription. The zero Filter selects every
// non-system event. System events (types and streams starting with "$", as EventStoreDB writes
// them) are never returned.
type Filter struct {
	// StreamPrefixes, when not empty, keeps only events whose stream starts with one of them
	// (a category is a prefix such as "sale-").
	StreamPrefixes []string
	// Types, when not empty, keeps only events whose type is one of them, exactly: a filter
	// on "sales.sale_completed.v1" never selects "sales.sale_completed.v10".
	Types []string
	// TypePrefixes, when not empty, keeps only events whose type starts with one of them
	// (a whole family such as "sales."); name single types in Types.
	TypePrefixes []string
}

// Match reports whether the filter selects an event of this stream and type.
func (f Filter) Match(stream, eventType string) bool {
	if strings.HasPrefix(stream, "$") || strings.HasPrefix(eventType, "$") {
		return false
	}
	return matchPrefixes(f.StreamPrefixes, stream) && matchPrefixes(f.TypePrefixes, eventType) &&
		(len(f.Types) == 0 || slices.Contains(f.Types, eventType))
}

func matchPrefixes(prefixes []string, s string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
