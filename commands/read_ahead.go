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
//
// A readAhead with trust set reads nothing: each load is answered from memory (see
// proven.go), or, when one cannot be, trust.missed is set and the loads are left unanswered.
type readAhead struct {
	reads []eventstore.StreamRead
	folds []func(ctx context.Context, first *eventstore.StreamPage)
	// fromMemory answers each load from memory, reporting whether it could.
	fromMemory []func(trust *trustedRead) bool
	trust      *trustedRead
}

// loadAhead adds to ra the load of stream with agg; ra.run sets *out and *err to what Load
// would return.
func loadAhead[S, E any](ctx context.Context, ra *readAhead, h *Handler, stream string, agg Aggregate[S, E], out *Loaded[S], err *error) {
	addLoad(ctx, ra, h, stream, agg, out, err, false)
}

// loadReadOnlyAhead is loadAhead for a stream a sale only reads (store, product, tax code):
// the state read is kept in the handler's provenStates, and a trusted readAhead takes it from
// there.
func loadReadOnlyAhead[S, E any](ctx context.Context, ra *readAhead, h *Handler, stream string, agg Aggregate[S, E], out *Loaded[S], err *error) {
	addLoad(ctx, ra, h, stream, agg, out, err, true)
}

// addLoad adds the load of stream to ra: loadAhead, and, when readOnly, loadReadOnlyAhead.
func addLoad[S, E any](ctx context.Context, ra *readAhead, h *Handler, stream string, agg Aggregate[S, E], out *Loaded[S], err *error, readOnly bool) {
	snap, fromSnapshot := loadSnapshot(ctx, h, stream, agg)
	var from uint64
	if fromSnapshot {
		from = snap.Revision
	}
	ra.reads = append(ra.reads, eventstore.StreamRead{Stream: stream, From: from, Max: loadPage, NoMetadata: true})
	ra.folds = append(ra.folds, func(ctx context.Context, first *eventstore.StreamPage) {
		*out, *err = loadFrom(ctx, h, stream, agg, eventstore.Start, snap, fromSnapshot, first)
		if readOnly && h.proven != nil && *err == nil && out.Exists {
			provenPut(h.proven, stream, *out)
		}
	})
	ra.fromMemory = append(ra.fromMemory, func(trust *trustedRead) bool {
		var l Loaded[S]
		switch {
		case stream == trust.fresh:
			*out, *err = initialLoaded(agg), nil
			return true
		case fromSnapshot:
			var derr error
			if l, derr = snapshotLoaded(agg, snap); derr != nil {
				return false
			}
		case readOnly && h.proven != nil:
			var ok bool
			if l, ok = provenGet[S](h.proven, stream); !ok {
				return false
			}
		default:
			return false
		}
		trust.taken = append(trust.taken, eventstore.StreamCheck{Stream: stream, Revision: l.Revision})
		*out, *err = l, nil
		return true
	})
}

// run reads the first pages of every load added and folds them, one after the other.
func (ra *readAhead) run(ctx context.Context, h *Handler) {
	if len(ra.reads) == 0 {
		return
	}
	if ra.trust != nil {
		for _, answer := range ra.fromMemory {
			if !answer(ra.trust) {
				ra.trust.missed = true
				return
			}
		}
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
