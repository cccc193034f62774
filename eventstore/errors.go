package eventstore

import (
	"errors"
	"fmt"
)

// ErrWrongExpectedRevision is matched (errors.Is) by every *WrongExpectedRevisionError.
var ErrWrongExpectedRevision = errors.New("wrong expected revision")

// ErrStreamNotFound is returned when reading a stream that has no events.
var ErrStreamNotFound = errors.New("stream not found")

// ErrStreamDeleted is returned when reading or appending to a tombstoned stream.
var ErrStreamDeleted = errors.New("stream deleted")

// ErrDuplicateEventID is returned when an event ID is already stored somewhere else than where
// an idempotent retry of the same append would find it.
var ErrDuplicateEventID = errors.New("duplicate event id")

// ErrInvalidAppend is returned for an append the store refuses without looking at the stream:
// no events, an empty stream name, an event without ID or type, data that is not JSON.
var ErrInvalidAppend = errors.New("invalid append")

// ErrUnavailable wraps a failure to reach the backend (network, server down). Callers may
// retry; the operation may or may not have taken effect, which an idempotent retry resolves.
var ErrUnavailable = errors.New("event store unavailable")

// WrongExpectedRevisionError reports a conditional append whose condition did not hold.
type WrongExpectedRevisionError struct {
	Stream   string
	Expected ExpectedRevision
	Actual   ActualRevision
}

// Error describes the mismatch.
func (e *WrongExpectedRevisionError) Error() string {
	return fmt.Sprintf("append to %s: expected revision %s, actual %s", e.Stream, e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrWrongExpectedRevision) true.
func (e *WrongExpectedRevisionError) Is(target error) bool {
	return target == ErrWrongExpectedRevision
}
