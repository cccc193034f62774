package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// Step is one command of a batch on one stream: its context and its pure decision.
type Step[S, E any] struct {
	Cmd    Context
	Decide func(S) ([]E, error)
}

// ExecuteSteps decides steps in turn on stream, each against the state the steps before it
// left, and appends all their events in one append at the revision it started from; a step
// whose events are among those read decides nothing. When another writer appended first, it
// reads the stream again and decides every step again, up to the handler's retry bound.
//
// known, when set, is the stream as an earlier ExecuteSteps returned it: the append proves it
// current. The load reads from the snapshot on; covered reports whether a state finds the
// steps' earlier events by itself (a policy's source mark), and when it does not, the stream
// is read again covering every event after the first step's Context.After, as Execute does.
// It returns the stream after the steps; known and the result of a failed call are consumed
// (the state may be half evolved): read the stream again after an error.
func ExecuteSteps[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], known *Loaded[S], covered func(S) bool, steps []Step[S, E]) (Loaded[S], error) {
	for _, st := range steps {
		if st.Cmd.ID == "" {
			return Loaded[S]{}, ErrMissingCommandID
		}
	}
	pause := h.backoff
	for attempt := 0; ; attempt++ {
		l, err := loadStep(ctx, h, stream, agg, known, covered, steps)
		known = nil
		if err != nil {
			return l, err
		}
		data, err := decideStepsOn(h, stream, agg, &l, steps)
		if err != nil || len(data) == 0 {
			return l, err
		}
		res, err := h.store.Append(ctx, stream, l.expected(), data)
		if err == nil {
			stepsAppended(ctx, h, stream, agg, &l, data, res)
			return l, nil
		}
		if !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
			return l, fmt.Errorf("append %s: %w", stream, err)
		}
		if attempt+1 >= h.maxRetries {
			return l, fmt.Errorf("%s after %d attempts: %w", stream, attempt+1, ErrConflict)
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return l, ctx.Err()
		}
		pause *= 2
	}
}

// loadStep returns known, or the stream read from its snapshot on, or, when covered says the
// state cannot find the steps' earlier events, read covering the first step's After.
func loadStep[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], known *Loaded[S], covered func(S) bool, steps []Step[S, E]) (Loaded[S], error) {
	var l Loaded[S]
	if known != nil {
		l = *known
	} else {
		var err error
		if l, err = loadCovering(ctx, h, stream, agg, eventstore.Start); err != nil {
			return l, err
		}
	}
	if covered == nil || covered(l.State) || len(steps) == 0 {
		return l, nil
	}
	return loadCovering(ctx, h, stream, agg, steps[0].Cmd.After)
}

// decideStepsOn decides steps in turn on l, evolving its state, and returns their events
// encoded; a step whose events are among those l has read decides nothing.
func decideStepsOn[S, E any](h *Handler, stream string, agg Aggregate[S, E], l *Loaded[S], steps []Step[S, E]) ([]eventstore.EventData, error) {
	var data []eventstore.EventData
	for _, st := range steps {
		if _, ok := l.replayOf(st.Cmd, stream); ok {
			continue
		}
		events, err := st.Decide(l.State)
		if err != nil {
			return nil, err
		}
		encoded, err := encode(h.codec, stream, st.Cmd, events)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			l.State = agg.Evolve(l.State, e)
		}
		data = append(data, encoded...)
	}
	return data, nil
}

// stepsAppended records in l the append of data that res reports (l's state already has the
// events), and stores a snapshot when the aggregate is due one.
func stepsAppended[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], l *Loaded[S], data []eventstore.EventData, res eventstore.AppendResult) {
	// The steps' sources are behind the state's own marks now: forget the events read.
	l.byID = map[uuid.UUID]located{}
	l.Exists, l.Revision, l.Position, l.lastID = true, res.Revision, res.Position, data[len(data)-1].ID
	l.unsnapshotted += uint64(len(data))
	if agg.Snapshot != nil && h.snapshots != nil && l.unsnapshotted >= agg.Snapshot.Every {
		saveSnapshot(ctx, h, stream, agg, *l)
		l.unsnapshotted = 0
	}
}
