package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/odata-pos/pos/eventstore"
)

// StreamSteps are one stream's steps in an ExecuteStepsAtomic call, with the stream as an
// earlier call left it (Known; nil to read it).
type StreamSteps[S, E any] struct {
	Stream string
	Known  *Loaded[S]
	Steps  []Step[S, E]
}

// ErrNotAtomic is ExecuteStepsAtomic's error on a store that cannot append to several
// streams in one transaction (EventStoreDB): nothing was read or consumed.
var ErrNotAtomic = errors.New("the event store has no atomic append to several streams")

// ExecuteStepsAtomic is ExecuteSteps on several streams of one aggregate, with the events of
// every stream appended in one atomic append, each stream at the revision its steps were
// decided on: a policy's batch that moves many stock streams costs one statement and one
// transaction, not one per stream. Each stream is loaded and decided as ExecuteSteps does it
// (known, covered, steps whose events were read decide nothing).
//
// It tries once. When the append fails (another writer appended to one of the streams first,
// or the outcome is unknown) or a step fails, it returns the error: every Known state is
// consumed, and the caller goes on with ExecuteSteps stream by stream, which reads them again
// and finds, by their events or source marks, what the failed call may have written. On a
// store without atomic appends (none unwrapped either: eventstore.AtomicOf) it returns
// ErrNotAtomic at once. On success it returns the streams after the steps, in the order of
// streams.
func ExecuteStepsAtomic[S, E any](ctx context.Context, h *Handler, agg Aggregate[S, E], covered func(S) bool, streams []StreamSteps[S, E]) ([]Loaded[S], error) {
	at, ok := eventstore.AtomicOf(h.store)
	if !ok {
		return nil, ErrNotAtomic
	}
	seen := make(map[string]bool, len(streams))
	for _, ss := range streams {
		if seen[ss.Stream] {
			return nil, fmt.Errorf("%w: %s appears twice in one atomic call", eventstore.ErrInvalidAppend, ss.Stream)
		}
		seen[ss.Stream] = true
		for _, st := range ss.Steps {
			if st.Cmd.ID == "" {
				return nil, ErrMissingCommandID
			}
		}
	}
	out := make([]Loaded[S], len(streams))
	data := make([][]eventstore.EventData, len(streams))
	var appends []eventstore.StreamAppend
	var written []int // the streams appended to, at the index of their append
	for i, ss := range streams {
		l, err := loadStep(ctx, h, ss.Stream, agg, ss.Known, covered, ss.Steps)
		if err != nil {
			return nil, err
		}
		if data[i], err = decideStepsOn(h, ss.Stream, agg, &l, ss.Steps); err != nil {
			return nil, fmt.Errorf("%s: %w", ss.Stream, err)
		}
		out[i] = l
		if len(data[i]) == 0 {
			continue
		}
		appends = append(appends, eventstore.StreamAppend{Stream: ss.Stream, Expected: l.expected(), Events: data[i]})
		written = append(written, i)
	}
	if len(appends) == 0 {
		return out, nil
	}
	res, err := at.AppendAtomic(ctx, appends)
	if err == nil && len(res) != len(appends) {
		err = fmt.Errorf("atomic append of %d appends answered %d results", len(appends), len(res))
	}
	if err != nil {
		return nil, fmt.Errorf("atomic append to %d streams: %w", len(appends), err)
	}
	for k, i := range written {
		stepsAppended(ctx, h, streams[i].Stream, agg, &out[i], data[i], res[k])
	}
	return out, nil
}
