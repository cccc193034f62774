package eventstore

import "context"

// Store is an event store. Implementations are safe for concurrent use.
type Store interface {
	// Append atomically appends events to stream if expected holds, and reports the revision
	// and $all position of the last event appended. Re-appending events whose IDs are already
	// the stream's events at the same expected revision succeeds and returns the original
	// result. Errors: *WrongExpectedRevisionError, ErrStreamDeleted, ErrDuplicateEventID,
	// ErrInvalidAppend, ErrUnavailable.
	Append(ctx context.Context, stream string, expected ExpectedRevision, events []EventData) (AppendResult, error)

	// ReadStream returns at most max events of stream starting at revision from (inclusive), in
	// the given direction. A backwards read from End starts at the last event. It returns
	// ErrStreamNotFound when the stream has no events and ErrStreamDeleted when tombstoned. An
	// empty slice means there is nothing at or beyond from in that direction.
	ReadStream(ctx context.Context, stream string, dir Direction, from uint64, max int) ([]RecordedEvent, error)

	// ReadAll returns at most max events of $all that match filter, with positions strictly
	// greater than from, in position order. It never returns an event past one that might still
	// commit below it, so from = the last returned position never skips an event.
	ReadAll(ctx context.Context, from Position, max int, filter Filter) ([]RecordedEvent, error)

	// SubscribeAll delivers every event of $all matching filter with a position strictly
	// greater than from: first the history, then live events as they commit, in position order,
	// each exactly once. It survives lost connections by resuming after the last delivered
	// event. The subscription ends when ctx is cancelled or Close is called.
	SubscribeAll(ctx context.Context, from Position, filter Filter) (Subscription, error)

	// HeadPosition returns the position of the last event of $all that a reader can see now
	// (Start when the log is empty). Use it to measure subscriber lag.
	HeadPosition(ctx context.Context) (Position, error)

	// Tombstone deletes stream for good if expected holds: reads and appends then fail with
	// ErrStreamDeleted. Its events stay in $all (history is never rewritten).
	Tombstone(ctx context.Context, stream string, expected ExpectedRevision) error

	// Close releases the store's resources. Subscriptions must be closed first.
	Close() error
}

// Subscription is a live feed of $all events.
type Subscription interface {
	// Events delivers the events in position order. It is closed when the subscription ends.
	Events() <-chan RecordedEvent
	// Err reports why the subscription ended once Events is closed: nil after Close or
	// cancellation, otherwise the error that stopped it.
	Err() error
	// Close ends the subscription and waits until its goroutines have stopped.
	Close() error
}

// Scanner is implemented by stores whose filtered $all reads can tell how far they looked, so
// that a reader whose filter selects few events still knows where it stands (eventstore/fanout
// uses it to bring a subscriber up to a shared reader).
type Scanner interface {
	// ScanAll is ReadAll that also returns through, the position up to which it looked: every
	// event matching filter with a position in (from, through] is in events (through is at
	// least the last event's position) and no other can ever commit there.
	ScanAll(ctx context.Context, from Position, max int, filter Filter) (events []RecordedEvent, through Position, err error)
}
