package eventstore

import (
	"context"
	"errors"
)

// Restorer is implemented by stores that can take back the events of a backup (posctl audit
// export) verbatim: the same IDs, streams, revisions, types, data and metadata bytes, chain
// hashes and recorded times, and the same $all order. A backend that assigns positions itself
// keeps each event's original position as RecordedEvent.OriginPosition.
type Restorer interface {
	// Restore appends events, given in $all order, to a log that held nothing before the
	// restore began (callers check HeadPosition first). Each event must continue its stream
	// (the next revision, its hash chained onto the stream's last one: the stored hash is
	// recomputed and compared) and lie after every event restored before it. A batch is
	// written atomically where the backend can (PostgreSQL); EventStoreDB writes it one stream
	// run at a time. Errors: ErrInvalidRestore, ErrUnavailable.
	Restore(ctx context.Context, events []RecordedEvent) error
}

// ErrInvalidRestore is returned by Restore for events that do not continue the restored log:
// a revision out of order, a hash that the content and the stream's previous hash do not
// give, a position not after the previous one, or an event that is already stored.
var ErrInvalidRestore = errors.New("invalid restore")
