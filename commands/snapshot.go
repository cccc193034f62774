package commands

import (
	"context"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// Snapshot is an aggregate's state as of one revision of its stream, so that Load can start
// there instead of at the stream's first event. Snapshots are a cache: losing them changes
// nothing but speed, and one that does not match the stream is ignored.
type Snapshot struct {
	Stream string
	// Kind names the state's encoding (Snapshotting.Kind); a snapshot of another kind is
	// ignored.
	Kind string
	// Revision and Position are those of the last event folded into State; EventID is that
	// event's ID, checked against the stream on load (a stream deleted and rewritten, or a
	// store restored from an older backup, no longer matches).
	Revision uint64
	Position eventstore.Position
	EventID  uuid.UUID
	State    []byte

	// held is the state itself, kept by this process's CachedSnapshots for an aggregate whose
	// Snapshotting has Clone: loads take a clone of it instead of decoding State, and State is
	// encoded from it only for the durable store. Never evolved: it is a copy of its own.
	held any
}

// SnapshotStore keeps the latest snapshot per stream and kind.
type SnapshotStore interface {
	// LoadSnapshot returns the stream's snapshot of kind, ok false when there is none.
	LoadSnapshot(ctx context.Context, stream, kind string) (snap Snapshot, ok bool, err error)
	// SaveSnapshot stores snap unless a snapshot of a later revision is stored.
	SaveSnapshot(ctx context.Context, snap Snapshot) error
}

// Snapshotting lets Load start an aggregate from a snapshot. Only aggregates whose streams
// grow without end need it (a register's receipts).
//
// An aggregate that snapshots must decide idempotently by itself for commands that may be
// retried after their events fell behind a snapshot (Execute only finds a command's events
// among those it read), or the command must say where its events can start (Context.After).
type Snapshotting[S any] struct {
	// Kind names the encoding; change it whenever the state's shape changes.
	Kind string
	// Every is how many events Load folds past the snapshot before it stores a new one.
	Every  uint64
	Encode func(S) ([]byte, error)
	Decode func([]byte) (S, error)
	// Clone, when set, returns a copy of a state that shares nothing Evolve changes in place.
	// CachedSnapshots then keeps this process's states as values: an append's state is
	// kept as a clone, a load starts from a clone of it, and Encode runs only for the durable
	// store (a sale's register and shift: no encoding and decoding at every sale).
	Clone func(S) S
}
