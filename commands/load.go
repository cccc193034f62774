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
	// byID locates every event of the stream (for idempotent replays).
	byID map[uuid.UUID]located
}

type located struct {
	revision uint64
	position eventstore.Position
	event    any
}

// Load reads stream from the start and folds it with agg. A missing stream gives the initial
// state with Exists false.
func Load[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E]) (Loaded[S], error) {
	out := Loaded[S]{State: agg.Initial(), byID: map[uuid.UUID]located{}}
	var from uint64
	for {
		page, err := h.store.ReadStream(ctx, stream, eventstore.Forwards, from, loadPage)
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("read %s: %w", stream, err)
		}
		for _, rec := range page {
			decoded, err := h.codec.Decode(rec.Type, rec.Data)
			if err != nil {
				return out, fmt.Errorf("%s revision %d: %w", stream, rec.Revision, err)
			}
			e, ok := decoded.(E)
			if !ok {
				return out, fmt.Errorf("%s revision %d: %s is not an event of this aggregate", stream, rec.Revision, rec.Type)
			}
			out.State = agg.Evolve(out.State, e)
			out.Exists, out.Revision, out.Position = true, rec.Revision, rec.Position
			out.byID[rec.ID] = located{revision: rec.Revision, position: rec.Position, event: decoded}
		}
		if len(page) < loadPage {
			return out, nil
		}
		from = page[len(page)-1].Revision + 1
	}
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

func (l Loaded[S]) revisionString() string {
	if !l.Exists {
		return "none"
	}
	return strconv.FormatUint(l.Revision, 10)
}
