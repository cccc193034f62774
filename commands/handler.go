package commands

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// Aggregate tells Execute how to fold one kind of aggregate from its events.
type Aggregate[S, E any] struct {
	// Initial returns the state of an aggregate that has no events.
	Initial func() S
	// Evolve applies one event to a state.
	Evolve func(S, E) S
	// Snapshot, when set, lets Load start from a stored state (see Snapshotting).
	Snapshot *Snapshotting[S]
}

// Result reports what a command wrote.
type Result struct {
	// Stream is the stream the command appended to.
	Stream string
	// Exists is false when the stream has no events (a command that decided nothing on a new
	// stream).
	Exists bool
	// Revision and Position are those of the command's last event, or of the stream's current
	// state when the command decided no events.
	Revision uint64
	Position eventstore.Position
	// Events are the events the command appended (or had appended before, on a replay).
	Events []any
	// Replayed is true when the command had already been applied and nothing was written now.
	Replayed bool
}

// Handler runs commands against an event store.
type Handler struct {
	store      eventstore.Store
	codec      *eventstore.Codec
	maxRetries int
	backoff    time.Duration
	snapshots  SnapshotStore
	// snapshotEveryLoad stores a snapshot after every load that folded an event (a
	// CachedSnapshots keeps them in memory).
	snapshotEveryLoad bool
	// proven keeps the states of the streams a sale only reads, for trusted decisions
	// (proven.go); nil where the store cannot check them or snapshots are not kept in memory.
	proven *provenStates
	// trustedWritten and trustedRefused count the trusted decisions written and refused
	// (TrustedSales, RefusedTrustedSales).
	trustedWritten, trustedRefused atomic.Uint64
	observe                        Observer
}

// TrustedSales is how many one-shot sales h wrote on states it held, without reading them
// (proven.go).
func (h *Handler) TrustedSales() uint64 { return h.trustedWritten.Load() }

// RefusedTrustedSales is how many one-shot sales h decided on states it held whose atomic
// call was refused (a stream had moved), and which were then read and decided again.
func (h *Handler) RefusedTrustedSales() uint64 { return h.trustedRefused.Load() }

// Options tunes a Handler.
type Options struct {
	// MaxRetries bounds how often a command is re-decided after losing a race (default 8).
	MaxRetries int
	// Backoff is the base pause between retries, doubled each time (default 2 ms).
	Backoff time.Duration
	// Snapshots stores the snapshots of aggregates that take them; nil folds every stream
	// from its first event.
	Snapshots SnapshotStore
	// Observe, when set, is called after every append with the events appended and the
	// aggregate's state after them (for metrics: see api's business observer). It runs on the
	// request's goroutine, so it must be fast and safe for concurrent use; replays of a command
	// already handled do not call it.
	Observe Observer
}

// Observer learns of the events the command side appended, with the state of their aggregate
// after them.
type Observer func(events []any, state any)

// NewHandler returns a Handler appending to store and encoding events with codec.
func NewHandler(store eventstore.Store, codec *eventstore.Codec, opts Options) *Handler {
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 8
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 2 * time.Millisecond
	}
	_, everyLoad := opts.Snapshots.(*CachedSnapshots)
	h := &Handler{store: store, codec: codec, maxRetries: opts.MaxRetries, backoff: opts.Backoff, snapshots: opts.Snapshots,
		snapshotEveryLoad: everyLoad, observe: opts.Observe}
	if _, checks := store.(eventstore.CheckedAtomicAppender); checks && everyLoad {
		h.proven = newProvenStates()
	}
	return h
}

// Store returns the handler's event store (for loaders that read other aggregates).
func (h *Handler) Store() eventstore.Store { return h.store }

// Codec returns the handler's codec.
func (h *Handler) Codec() *eventstore.Codec { return h.codec }

// Execute reads stream, folds it with agg, asks decide for new events and appends them at the
// revision it read. When another writer appended first, it reads again and re-decides, up to
// the handler's retry bound. decide must be pure: no I/O, no clock (take now from the caller).
// A command whose events are already in the stream returns the original result (Replayed).
func Execute[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], cmd Context, decide func(S) ([]E, error)) (Result, error) {
	res, _, err := execute(ctx, h, stream, agg, cmd, nil, decide)
	return res, err
}

// execute is Execute that decides first against known, when set, instead of reading the
// stream: an aggregate this request loaded or wrote a moment ago. The append at known's
// revision proves it current (nothing was appended since); if it is not, the stream is read
// and the command decided again. known must cover the events the command could have written
// before (read after Context.After, or from the stream's start), and is consumed: its state
// becomes the result's. execute returns the aggregate after the command, for a next step.
func execute[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], cmd Context, known *Loaded[S], decide func(S) ([]E, error)) (Result, Loaded[S], error) {
	if cmd.ID == "" {
		return Result{}, Loaded[S]{}, ErrMissingCommandID
	}
	pause := h.backoff
	for attempt := 0; ; attempt++ {
		var loaded Loaded[S]
		if known != nil {
			loaded, known = *known, nil
		} else {
			var err error
			if loaded, err = loadCovering(ctx, h, stream, agg, cmd.After); err != nil {
				return Result{}, loaded, err
			}
		}
		if prior, ok := loaded.replayOf(cmd, stream); ok {
			return prior, loaded, nil
		}
		if cmd.IfMatch != nil && (!loaded.Exists || loaded.Revision != *cmd.IfMatch) {
			return Result{}, loaded, fmt.Errorf("%s at revision %s, not %d: %w", stream, loaded.revisionString(), *cmd.IfMatch, ErrPreconditionFailed)
		}
		events, err := decide(loaded.State)
		if err != nil {
			return Result{}, loaded, err
		}
		if len(events) == 0 {
			return Result{Stream: stream, Exists: loaded.Exists, Revision: loaded.Revision, Position: loaded.Position}, loaded, nil
		}
		data, err := encode(h.codec, stream, cmd, events)
		if err != nil {
			return Result{}, loaded, err
		}
		res, err := h.store.Append(ctx, stream, loaded.expected(), data)
		if err == nil {
			out, after := recorded(ctx, h, stream, agg, loaded, data, events, res)
			return out, after, nil
		}
		if !errors.Is(err, eventstore.ErrWrongExpectedRevision) || cmd.IfMatch != nil {
			if cmd.IfMatch != nil && errors.Is(err, eventstore.ErrWrongExpectedRevision) {
				return Result{}, loaded, fmt.Errorf("%s changed concurrently: %w", stream, ErrPreconditionFailed)
			}
			return Result{}, loaded, fmt.Errorf("append %s: %w", stream, err)
		}
		if attempt+1 >= h.maxRetries {
			return Result{}, loaded, fmt.Errorf("%s after %d attempts: %w", stream, attempt+1, ErrConflict)
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return Result{}, loaded, ctx.Err()
		}
		pause *= 2
	}
}

// recorded is what a command answers once data, decided as events on loaded, was appended
// to stream as res reports: the result and the aggregate after it. It stores the snapshot the
// handler keeps after every load and tells the observer.
func recorded[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], loaded Loaded[S],
	data []eventstore.EventData, events []E, res eventstore.AppendResult) (Result, Loaded[S]) {
	after := appendedTo(loaded, agg, data, events, res)
	if h.snapshotEveryLoad && agg.Snapshot != nil {
		// The state the append proved current is the stream's as of res: the next load starts
		// there and reads only the events appended since (a register's next sale, not this
		// one's reservation again).
		saveSnapshot(ctx, h, stream, agg, after)
	}
	appended := anys(events)
	if h.observe != nil {
		h.observe(appended, after.State)
	}
	return Result{Stream: stream, Exists: true, Revision: res.Revision, Position: res.Position, Events: appended}, after
}

func anys[E any](events []E) []any {
	out := make([]any, len(events))
	for i, e := range events {
		out[i] = e
	}
	return out
}

// encode turns decided events into EventData with IDs derived from the command.
func encode[E any](codec *eventstore.Codec, stream string, cmd Context, events []E) ([]eventstore.EventData, error) {
	out, err := describe(codec, stream, cmd, events)
	if err != nil {
		return nil, err
	}
	return out, encodeData(codec, out, events)
}

// describe is encode without the events' data: their IDs, types and metadata.
func describe[E any](codec *eventstore.Codec, stream string, cmd Context, events []E) ([]eventstore.EventData, error) {
	meta := cmd.metadata()
	out := make([]eventstore.EventData, len(events))
	for i, e := range events {
		name, err := codec.Name(e)
		if err != nil {
			return nil, err
		}
		out[i] = eventstore.EventData{ID: cmd.eventID(stream, i), Type: name, Metadata: meta}
	}
	return out, nil
}

// encodeData sets the data of out, described from events (describe).
func encodeData[E any](codec *eventstore.Codec, out []eventstore.EventData, events []E) error {
	for i, e := range events {
		_, data, err := codec.Encode(e)
		if err != nil {
			return err
		}
		// Codec.Encode's data is json.Marshal's: the store need not check it again.
		out[i].Data, out[i].ValidJSON = data, true
	}
	return nil
}
