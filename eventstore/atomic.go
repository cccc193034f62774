package eventstore

import (
	"context"
	"fmt"
)

// AtomicAppender is implemented by stores that can append to several streams in one
// transaction (PostgreSQL and the in-memory store; EventStoreDB has no multi-stream writes).
//
// AppendAtomic runs the appends in the order given, each as Append would run it at that point
// (a later append to the same stream sees the earlier ones of the call), and either all of
// them take effect or none does: when one fails, the call returns that append's error (the
// errors of Append, wrapped with the stream's name) and nothing of the call is stored. The
// positions of the events written follow the order of the appends. An append whose events
// are already the stream's, at the same expected revision, is answered as Append answers an
// idempotent retry, from the stored events. On success the result of each append is at its
// index.
//
// An error that leaves the outcome unknown (the connection lost while committing) is returned
// as such: like any append, the call may then have taken effect; a retry of the same appends
// is answered from the stored events.
type AtomicAppender interface {
	AppendAtomic(ctx context.Context, appends []StreamAppend) ([]AppendResult, error)
}

// AtomicOf returns the atomic appender of s: s itself, or else the store that s wraps (a
// Store with an Unwrap method, such as fanout.Store, which forwards every append to it),
// unwrapped as far as needed; false when none of them appends atomically.
func AtomicOf(s Store) (AtomicAppender, bool) {
	for {
		if at, ok := s.(AtomicAppender); ok {
			return at, true
		}
		w, ok := s.(interface{ Unwrap() Store })
		if !ok {
			return nil, false
		}
		s = w.Unwrap()
	}
}

// StreamCheck is a condition of an atomic call on a stream the call does not write: the call
// takes effect only if, when it runs, the stream exists, is not deleted and its last event is
// at Revision. A command decided on streams it only read (a sale on its products' prices)
// checks them so that it is written only if they are still as it read them.
type StreamCheck struct {
	Stream   string
	Revision uint64
}

// CheckedAtomicAppender is an AtomicAppender whose calls can also carry checks on streams
// they do not write (PostgreSQL and the in-memory store).
//
// AppendAtomicChecked is AppendAtomic that first checks every StreamCheck of checks: when one
// does not hold, the call fails with that stream's error (a *WrongExpectedRevisionError, or
// ErrStreamDeleted wrapped with the stream's name) and stores nothing. A call with checks is
// also never answered as an idempotent retry: when an event of it is stored already, it fails
// with ErrDuplicateEventID and stores nothing. Such a call carries a decision taken on states
// it did not read, and a retry decided that way may differ from the call it repeats (its time,
// say): only a caller that reads the stream can answer it with what was stored. A check takes
// no lock: the streams checked
// are seen as of the call, as a read in its transaction would see them, and may move as soon
// as it has run; what the call proves is that the events it wrote were decided on their state
// at that moment. A stream both checked and appended to, or a check without a stream, is
// ErrInvalidAppend.
type CheckedAtomicAppender interface {
	AtomicAppender
	AppendAtomicChecked(ctx context.Context, checks []StreamCheck, appends []StreamAppend) ([]AppendResult, error)
}

// ValidateChecks returns ErrInvalidAppend, with the reason, for checks that name no stream, or
// a stream that appends write, or one stream twice.
func ValidateChecks(checks []StreamCheck, appends []StreamAppend) error {
	seen := make(map[string]bool, len(checks)+len(appends))
	for _, a := range appends {
		seen[a.Stream] = true
	}
	for _, c := range checks {
		switch {
		case c.Stream == "":
			return fmt.Errorf("%w: a check names no stream", ErrInvalidAppend)
		case seen[c.Stream]:
			return fmt.Errorf("%w: %s is checked twice, or checked and appended to in one call", ErrInvalidAppend, c.Stream)
		}
		seen[c.Stream] = true
	}
	return nil
}

// CheckFailed is the error of a check on stream that found it deleted, or else missing
// (exists false) or at actual: what AppendAtomicChecked returns for it.
func CheckFailed(c StreamCheck, exists, deleted bool, actual uint64) error {
	if deleted {
		return fmt.Errorf("check %s: %w", c.Stream, ErrStreamDeleted)
	}
	return &WrongExpectedRevisionError{Stream: c.Stream, Expected: Exact(c.Revision), Actual: ActualRevision{Exists: exists, Revision: actual}}
}
