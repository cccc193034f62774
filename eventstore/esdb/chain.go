package esdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

// idempotencyWindow is how many of a stream's newest events an append with Any or
// StreamExists reads (in the same read as the stream's head) to recognise a retry.
const idempotencyWindow = 32

// head is the state of a stream an append chains onto.
type head struct {
	exists   bool
	revision uint64
	id       [16]byte
	hash     chain.Hash
	// recent are the stream's newest events, newest first (for Any and StreamExists).
	recent []eventstore.RecordedEvent
}

// streamHead reads the stream's last events (window of them, newest first): the revision, ID
// and chain hash of the last one, and the IDs of the others for the idempotency check. A
// stream whose last event carries no hash (written before chaining or by another tool) chains
// on from the zero hash, which Verify then reports.
func (s *Store) streamHead(ctx context.Context, c *esdb.Client, stream string, window int) (head, error) {
	evs, err := s.readStream(ctx, c, stream, eventstore.Backwards, eventstore.End, window)
	switch {
	case errors.Is(err, eventstore.ErrStreamNotFound):
		return head{}, nil
	case err != nil:
		return head{}, fmt.Errorf("append %s: %w", stream, err)
	case len(evs) == 0:
		return head{}, nil
	}
	h := head{exists: true, revision: evs[0].Revision, id: evs[0].ID, recent: evs}
	if len(evs[0].Hash) == chain.Size {
		copy(h.hash[:], evs[0].Hash)
	}
	return h, nil
}

// replayed recognises an idempotent retry: the events are already the stream's events where
// the same expected revision put them (Exact, NoStream), or, for Any and StreamExists, the
// stream's last events. It then returns the original result.
func (s *Store) replayed(ctx context.Context, c *esdb.Client, stream string, expected eventstore.ExpectedRevision, h head, events []eventstore.EventData) (eventstore.AppendResult, bool, error) {
	if !h.exists {
		return eventstore.AppendResult{}, false, nil
	}
	n := uint64(len(events))
	var start uint64
	switch r, exact := expected.Revision(); {
	case exact:
		start = r + 1
	case expected.IsNoStream():
		start = 0
	case h.id == events[n-1].ID && h.revision+1 >= n:
		start = h.revision + 1 - n
	default:
		// Any or StreamExists: look for the first event among the stream's newest events, as
		// the server's own idempotency check for Any does.
		recent := h.recent
		found := false
		for _, e := range recent {
			if e.ID == events[0].ID {
				start, found = e.Revision, true
				break
			}
		}
		if !found {
			return eventstore.AppendResult{}, false, nil
		}
	}
	if start+n-1 > h.revision || start+n-1 < start {
		return eventstore.AppendResult{}, false, nil
	}
	got, err := s.readStream(ctx, c, stream, eventstore.Forwards, start, int(n))
	if err != nil || uint64(len(got)) != n {
		return eventstore.AppendResult{}, false, err
	}
	for i, e := range events {
		if got[i].ID != e.ID {
			return eventstore.AppendResult{}, false, nil
		}
	}
	last := got[n-1]
	return eventstore.AppendResult{Revision: last.Revision, Position: last.Position}, true, nil
}

// chainProposed returns the proposed events with their chain hashes added to their metadata,
// chained onto the stream's head.
func chainProposed(stream string, h head, events []eventstore.EventData, proposed []esdb.EventData) ([]esdb.EventData, error) {
	out := make([]esdb.EventData, len(proposed))
	prev, rev := h.hash, uint64(0)
	if h.exists {
		rev = h.revision + 1
	}
	var hs chain.Hasher
	for i, p := range proposed {
		prev = hs.Sum(prev, chain.Event{
			Stream: stream, Revision: rev + uint64(i), ID: events[i].ID, Type: p.EventType, Data: p.Data, Metadata: p.Metadata,
		})
		meta, err := chain.JoinMetadata(p.Metadata, prev)
		if err != nil {
			return nil, err
		}
		p.Metadata = meta
		out[i] = p
	}
	return out, nil
}
