package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// loadPage is how many events Load reads per round trip.
const loadPage = 1000

// Loaded is an aggregate folded from its stream.
type Loaded[S any] struct {
	State S
	// Exists is false when the stream has no events.
	Exists bool
	// Revision and Position are those of the stream's last event.
	Revision uint64
	Position eventstore.Position
	// byID locates the events read (for idempotent replays): every event of the stream, or,
	// when the load started from a snapshot, those from the snapshot on and those after the
	// position Execute asked to cover.
	byID map[uuid.UUID]located
	// lastID is the ID of the event at Revision.
	lastID uuid.UUID
	// unsnapshotted counts the events folded since the stored snapshot (ExecuteSteps stores a
	// new one when it reaches the aggregate's Snapshotting.Every).
	unsnapshotted uint64
}

type located struct {
	revision uint64
	position eventstore.Position
	event    any
}

// Load folds stream with agg: from its first event, or from the latest snapshot when agg
// snapshots and the handler has a SnapshotStore. A missing stream gives the initial state
// with Exists false.
func Load[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E]) (Loaded[S], error) {
	return loadCovering(ctx, h, stream, agg, eventstore.Start)
}

// loadCovering is Load that also finds every event after position after, even when it lies
// before the snapshot the load starts from (Execute's replay check needs them).
func loadCovering[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], after eventstore.Position) (Loaded[S], error) {
	snap, fromSnapshot := loadSnapshot(ctx, h, stream, agg)
	return loadFrom(ctx, h, stream, agg, after, snap, fromSnapshot, nil)
}

// loadFrom is loadCovering from snap (when fromSnapshot) with, when first is not nil, the
// page of the stream from the revision the load starts at (the snapshot's, else 0) already
// read (see readAhead).
func loadFrom[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], after eventstore.Position,
	snap Snapshot, fromSnapshot bool, first *eventstore.StreamPage) (Loaded[S], error) {
	out := initialLoaded(agg)
	var from, folded uint64
	if fromSnapshot {
		from = snap.Revision
	}
	for {
		var (
			page []eventstore.RecordedEvent
			err  error
		)
		if first != nil {
			page, err, first = first.Events, first.Err, nil
		} else {
			page, err = h.store.ReadStream(ctx, stream, eventstore.Forwards, from, loadPage)
		}
		if errors.Is(err, eventstore.ErrStreamNotFound) && !fromSnapshot {
			return out, nil
		}
		if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
			return out, fmt.Errorf("read %s: %w", stream, err)
		}
		if fromSnapshot && from == snap.Revision {
			if len(page) == 0 || page[0].Revision != snap.Revision || page[0].ID != snap.EventID {
				// The stream is not the one the snapshot was taken of: fold it from the start.
				fromSnapshot, from = false, 0
				continue
			}
			if out, err = snapshotLoaded(agg, snap); err != nil {
				out, fromSnapshot, from = initialLoaded(agg), false, 0
				continue
			}
		}
		for i, rec := range page {
			e, err := agg.Decode(h.codec, rec)
			if err != nil {
				return out, err
			}
			out.byID[rec.ID] = located{revision: rec.Revision, position: rec.Position, event: e}
			if fromSnapshot && i == 0 && rec.Revision == snap.Revision {
				continue // folded into the snapshot
			}
			out.State = agg.Evolve(out.State, e)
			out.Exists, out.Revision, out.Position, out.lastID = true, rec.Revision, rec.Position, rec.ID
			folded++
		}
		if len(page) < loadPage {
			break
		}
		from = page[len(page)-1].Revision + 1
	}
	if fromSnapshot && after != eventstore.Start && snap.Position > after && snap.Revision > 0 {
		if err := coverBackwards(ctx, h, stream, agg, snap.Revision-1, after, out.byID); err != nil {
			return out, err
		}
	}
	out.unsnapshotted = folded
	if agg.Snapshot != nil && h.snapshots != nil && out.Exists && (folded >= agg.Snapshot.Every || h.snapshotEveryLoad && folded > 0) {
		saveSnapshot(ctx, h, stream, agg, out)
		out.unsnapshotted = 0
	}
	return out, nil
}

// initialLoaded is a stream of agg without events, as Load finds a missing one.
func initialLoaded[S, E any](agg Aggregate[S, E]) Loaded[S] {
	return Loaded[S]{State: agg.Initial(), byID: map[uuid.UUID]located{}}
}

// snapshotLoaded is the stream as of snap, with no event located yet.
func snapshotLoaded[S, E any](agg Aggregate[S, E], snap Snapshot) (Loaded[S], error) {
	var state S
	if held, ok := snap.held.(S); ok && agg.Snapshot.Clone != nil {
		state = agg.Snapshot.Clone(held)
	} else {
		var err error
		if state, err = agg.Snapshot.Decode(snap.State); err != nil {
			return Loaded[S]{}, err
		}
	}
	return Loaded[S]{State: state, Exists: true, Revision: snap.Revision, Position: snap.Position, lastID: snap.EventID,
		byID: map[uuid.UUID]located{}}, nil
}

// coverBackwards adds to byID the events of stream from revision down to the first at or
// before position after.
func coverBackwards[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], revision uint64, after eventstore.Position, byID map[uuid.UUID]located) error {
	for {
		page, err := h.store.ReadStream(ctx, stream, eventstore.Backwards, revision, loadPage)
		if err != nil {
			return fmt.Errorf("read %s backwards: %w", stream, err)
		}
		for _, rec := range page {
			if rec.Position <= after {
				return nil
			}
			e, err := agg.Decode(h.codec, rec)
			if err != nil {
				return err
			}
			byID[rec.ID] = located{revision: rec.Revision, position: rec.Position, event: e}
		}
		last := page[len(page)-1].Revision
		if len(page) < loadPage || last == 0 {
			return nil
		}
		revision = last - 1
	}
}

// Decode decodes a stored event as an event of the aggregate.
func (a Aggregate[S, E]) Decode(codec *eventstore.Codec, rec eventstore.RecordedEvent) (E, error) {
	var zero E
	decoded, err := codec.DecodeEvent(rec)
	if err != nil {
		return zero, fmt.Errorf("%s revision %d: %w", rec.Stream, rec.Revision, err)
	}
	e, ok := decoded.(E)
	if !ok {
		return zero, fmt.Errorf("%s revision %d: %s is not an event of this aggregate", rec.Stream, rec.Revision, rec.Type)
	}
	return e, nil
}

// Fold folds evs, in order, from the initial state (an auditor's view of a stream up to
// some revision; commands use Load).
func (a Aggregate[S, E]) Fold(codec *eventstore.Codec, evs []eventstore.RecordedEvent) (S, error) {
	s := a.Initial()
	for _, rec := range evs {
		e, err := a.Decode(codec, rec)
		if err != nil {
			return s, err
		}
		s = a.Evolve(s, e)
	}
	return s, nil
}

// loadSnapshot returns the stream's usable snapshot, if any. A snapshot store that fails is
// a cache miss: the stream itself is the truth.
func loadSnapshot[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E]) (Snapshot, bool) {
	if agg.Snapshot == nil || h.snapshots == nil {
		return Snapshot{}, false
	}
	snap, ok, err := h.snapshots.LoadSnapshot(ctx, stream, agg.Snapshot.Kind)
	if err != nil || !ok {
		return Snapshot{}, false
	}
	return snap, true
}

// saveSnapshot stores l as the stream's snapshot. A failure is ignored: the next load folds a
// few more events and tries again.
func saveSnapshot[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], l Loaded[S]) {
	snap := Snapshot{Stream: stream, Kind: agg.Snapshot.Kind, Revision: l.Revision, Position: l.Position, EventID: l.lastID}
	if cached, ok := h.snapshots.(*CachedSnapshots); ok && agg.Snapshot.Clone != nil {
		held := agg.Snapshot.Clone(l.State) // the caller may go on evolving l.State
		snap.held = held
		_ = cached.save(ctx, snap, func() ([]byte, error) { return agg.Snapshot.Encode(held) })
		return
	}
	state, err := agg.Snapshot.Encode(l.State)
	if err != nil {
		return
	}
	snap.State = state
	_ = h.snapshots.SaveSnapshot(ctx, snap)
}

// replayOf reports the original result when cmd's events are already in the stream.
func (l Loaded[S]) replayOf(cmd Context, stream string) (Result, bool) {
	res := Result{Stream: stream, Exists: true, Replayed: true}
	for i := 0; ; i++ {
		loc, ok := l.byID[cmd.eventID(stream, i)]
		if !ok {
			return res, i > 0
		}
		res.Revision, res.Position = loc.revision, loc.position
		res.Events = append(res.Events, loc.event)
	}
}

// appendedTo returns l after the append of data (decided as events) that res reports. Only the
// last event's position is known; the others are located by revision alone.
func appendedTo[S, E any](l Loaded[S], agg Aggregate[S, E], data []eventstore.EventData, events []E, res eventstore.AppendResult) Loaded[S] {
	if l.byID == nil {
		l.byID = map[uuid.UUID]located{}
	}
	first := res.Revision + 1 - uint64(len(events))
	for i, e := range events {
		l.State = agg.Evolve(l.State, e)
		loc := located{revision: first + uint64(i), event: e}
		if i == len(events)-1 {
			loc.position = res.Position
		}
		l.byID[data[i].ID] = loc
	}
	l.Exists, l.Revision, l.Position, l.lastID = true, res.Revision, res.Position, data[len(data)-1].ID
	return l
}

// positionOf returns the position of the last event read that match accepts.
func (l Loaded[S]) positionOf(match func(event any) bool) (eventstore.Position, bool) {
	var at eventstore.Position
	for _, loc := range l.byID {
		if match(loc.event) && loc.position > at {
			at = loc.position
		}
	}
	return at, at != eventstore.Start
}

// expected is the expectation of an append decided on l: the stream at l's revision, or no
// stream when l has no events.
func (l Loaded[S]) expected() eventstore.ExpectedRevision {
	if !l.Exists {
		return eventstore.NoStream
	}
	return eventstore.Exact(l.Revision)
}

func (l Loaded[S]) revisionString() string {
	if !l.Exists {
		return "none"
	}
	return strconv.FormatUint(l.Revision, 10)
}
