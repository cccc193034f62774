package pgstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// chainCheckSQL counts the events whose stored hash is not pos_event_hash (the SQL chain of
// append_events) over their content and the previous event's hash, and the streams whose
// last_hash is not their last event's hash.
const chainCheckSQL = `
SELECT (SELECT count(*) FROM events e
          LEFT JOIN events p ON p.stream_id = e.stream_id AND p.revision = e.revision - 1
         WHERE e.hash IS DISTINCT FROM pos_event_hash(p.hash, e.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata)),
       (SELECT count(*) FROM streams s JOIN events e ON e.stream_id = s.stream_id AND e.revision = s.revision
         WHERE s.last_hash IS DISTINCT FROM e.hash)`

// TestAppendBatchHashesAsSQLDoes appends hostile data to new streams in batches (hashed in Go
// by the batch statement) and checks every hash against pos_event_hash in SQL, and that
// appends by append_events continue those chains.
func TestAppendBatchHashesAsSQLDoes(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	var appends []eventstore.StreamAppend
	for i, d := range hostileData {
		evs := events(1 + i%3)
		for k := range evs {
			evs[k].Data = json.RawMessage(d)
			evs[k].Type = fmt.Sprintf("test.hostile_é.v%d", k)
			evs[k].Metadata.Extra = map[string]string{"z": "\u2028", "a": "<>&"}
		}
		appends = append(appends, eventstore.StreamAppend{Stream: fmt.Sprintf("hostile-ünï-%d", i), Expected: eventstore.NoStream, Events: evs})
	}
	out, err := s.AppendBatch(ctx, appends)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o.Err != nil || o.Result.Revision != uint64(len(appends[i].Events)-1) {
			t.Fatalf("%s: %+v", appends[i].Stream, o)
		}
		mustAppend(t, s, appends[i].Stream, eventstore.Exact(o.Result.Revision), events(2))
	}
	var badEvents, badStreams int
	if err := rawConn(t, url).QueryRow(ctx, chainCheckSQL).Scan(&badEvents, &badStreams); err != nil {
		t.Fatal(err)
	}
	if badEvents != 0 || badStreams != 0 {
		t.Fatalf("%d events and %d streams whose hash is not the SQL chain's", badEvents, badStreams)
	}
}

// TestAppendBatchEventIDStoredElsewhere: an event ID already stored in another stream fails
// the batch statement as a whole; every append is then answered alone, so only that one is
// refused (ErrDuplicateEventID) and the others are written.
func TestAppendBatchEventIDStoredElsewhere(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	stolen := events(1)
	mustAppend(t, s, "owner", eventstore.NoStream, stolen)
	appends := []eventstore.StreamAppend{
		{Stream: "a", Expected: eventstore.NoStream, Events: events(2)},
		{Stream: "thief", Expected: eventstore.NoStream, Events: append(events(1), stolen...)},
		{Stream: "b", Expected: eventstore.NoStream, Events: events(3)},
	}
	out, err := s.AppendBatch(ctx, appends)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Err != nil || out[2].Err != nil || !errors.Is(out[1].Err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("outcomes %+v", out)
	}
	if _, err := s.ReadStream(ctx, "thief", eventstore.Forwards, 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("thief stream: %v, want not found", err)
	}
}

// TestAppendBatchBesideReaders runs batch appends and single appends concurrently while a
// subscription reads $all, and expects every event exactly once, in position order, with
// each stream's events in revision order: the batch statement keeps the hole proof.
func TestAppendBatchBesideReaders(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	ctx := ctxT(t, 2*time.Minute)
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	const writers, rounds = 4, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	want := map[uuid.UUID]bool{}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				var appends []eventstore.StreamAppend
				for k := range 5 {
					appends = append(appends, eventstore.StreamAppend{Stream: fmt.Sprintf("w%d-r%d-%d", w, r, k), Expected: eventstore.NoStream, Events: events(1 + k%3)})
				}
				single := events(1)
				out, err := s.AppendBatch(ctx, appends)
				if err == nil {
					_, err = s.Append(ctx, fmt.Sprintf("single-%d-%d", w, r), eventstore.NoStream, single)
				}
				for _, o := range out {
					err = errors.Join(err, o.Err)
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, a := range appends {
					for _, e := range a.Events {
						want[e.ID] = true
					}
				}
				want[single[0].ID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	seen := map[uuid.UUID]bool{}
	last := map[string]uint64{}
	var pos eventstore.Position
	for len(seen) < len(want) {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended: %v", sub.Err())
			}
			if e.Position <= pos || seen[e.ID] || !want[e.ID] {
				t.Fatalf("event %s at %d after %d: out of order, twice or unknown", e.ID, e.Position, pos)
			}
			if r, ok := last[e.Stream]; (ok && e.Revision != r+1) || (!ok && e.Revision != 0) {
				t.Fatalf("%s@%d follows revision %d", e.Stream, e.Revision, r)
			}
			pos, seen[e.ID], last[e.Stream] = e.Position, true, e.Revision
		case <-ctx.Done():
			t.Fatalf("received %d of %d events", len(seen), len(want))
		}
	}
}
