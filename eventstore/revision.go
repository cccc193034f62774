package eventstore

import "fmt"

// ExpectedRevision is the condition an Append is checked against: Any, NoStream,
// StreamExists, or an exact revision built with Exact.
type ExpectedRevision struct {
	kind     expectedKind
	revision uint64
}

type expectedKind uint8

const (
	expectAny expectedKind = iota
	expectNoStream
	expectStreamExists
	expectExact
)

// Any appends whatever the stream's current revision is.
var Any = ExpectedRevision{kind: expectAny}

// NoStream appends only when the stream has no events yet.
var NoStream = ExpectedRevision{kind: expectNoStream}

// StreamExists appends only when the stream already has at least one event.
var StreamExists = ExpectedRevision{kind: expectStreamExists}

// Exact appends only when the stream's last event has exactly this revision.
func Exact(revision uint64) ExpectedRevision {
	return ExpectedRevision{kind: expectExact, revision: revision}
}

// IsAny reports whether e accepts any current revision.
func (e ExpectedRevision) IsAny() bool { return e.kind == expectAny }

// IsNoStream reports whether e requires the stream not to exist.
func (e ExpectedRevision) IsNoStream() bool { return e.kind == expectNoStream }

// IsStreamExists reports whether e requires the stream to exist.
func (e ExpectedRevision) IsStreamExists() bool { return e.kind == expectStreamExists }

// Revision returns the exact revision e requires and true, or 0 and false when e is not Exact.
func (e ExpectedRevision) Revision() (uint64, bool) {
	return e.revision, e.kind == expectExact
}

// Matches reports whether a stream whose current state is (exists, current) satisfies e.
// current is the revision of the stream's last event and is ignored when exists is false.
func (e ExpectedRevision) Matches(exists bool, current uint64) bool {
	switch e.kind {
	case expectNoStream:
		return !exists
	case expectStreamExists:
		return exists
	case expectExact:
		return exists && current == e.revision
	default:
		return true
	}
}

// String renders e for logs and error messages.
func (e ExpectedRevision) String() string {
	switch e.kind {
	case expectNoStream:
		return "no-stream"
	case expectStreamExists:
		return "stream-exists"
	case expectExact:
		return fmt.Sprintf("%d", e.revision)
	default:
		return "any"
	}
}

// ActualRevision is the state of a stream reported by a failed conditional append.
type ActualRevision struct {
	// Exists is false when the stream has no events.
	Exists bool
	// Revision is the revision of the stream's last event when Exists is true.
	Revision uint64
}

// String renders a as a revision number or "no-stream".
func (a ActualRevision) String() string {
	if !a.Exists {
		return "no-stream"
	}
	return fmt.Sprintf("%d", a.Revision)
}
