package commands

import (
	"context"

	"github.com/odata-pos/pos/eventstore"
)

// readAhead loads several streams at once: the first page of each (from its snapshot, where
// it has one) in one multi-stream read (eventstore.ReadStreams: one round trip and one
// snapshot of the database on PostgreSQL), then each folded as Load folds it. A sale's store,
// register, shift, own stream and products cost one round trip instead of one each. Each
// load sees every event appended before the read, as Load's own read would.
type readAhead struct {
	reads []eventstore.StreamRead
	folds []func(ctx context.Context, first *eventstore.StreamPage)
}

// loadAhead adds to ra the load of stream with agg; ra.run sets *out and *err to what Load
// would return.
func loadAhead[S, E any](ctx context.Context, ra *readAhead, h *Handler, stream string, agg Aggregate[S, E], out *Loaded[S], err *error) {
	snap, fromSnapshot := loadSnapshot(ctx, h, stream, agg)
	var from uint64
	if fromSnapshot {
		from = snap.Revision
	}
	ra.reads = append(ra.reads, eventstore.StreamRead{Stream: stream, From: from, Max: loadPage, NoMetadata: true})
	ra.folds = append(ra.folds, func(ctx context.Context, first *eventstore.StreamPage) {
		*out, *err = loadFrom(ctx, h, stream, agg, eventstore.Start, snap, fromSnapshot, first)
	})
}

// run reads the first pages of every load added and folds them, one after the other.
func (ra *readAhead) run(ctx context.Context, h *Handler) {
	if len(ra.reads) == 0 {
		return
	}
	pages, err := eventstore.ReadStreams(ctx, h.store, ra.reads, prefetchWidth)
	for i, fold := range ra.folds {
		if err != nil {
			fold(ctx, &eventstore.StreamPage{Err: err})
			continue
		}
		fold(ctx, &pages[i])
	}
}
