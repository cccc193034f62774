package eventstore

import "context"

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
