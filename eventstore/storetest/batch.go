package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// testBatchAppend appends through eventstore.AppendBatch (the store's BatchAppender, or
// parallel Appends where it has none): new streams, an existing stream at its revision, a
// stale stream-exists append and an idempotent retry, each with
// Append's own outcome; then the whole batch again, which writes nothing.
func testBatchAppend(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, time.Minute)
	existing, retried := sc.stream("existing"), sc.stream("retried")
	mustAppend(t, s, existing, eventstore.NoStream, newEvents(existing, 2))
	retriedEvs := newEvents(retried, 2)
	retriedRes := mustAppend(t, s, retried, eventstore.NoStream, retriedEvs)

	var appends []eventstore.StreamAppend
	for i := range 20 {
		stream := sc.stream(i)
		appends = append(appends, eventstore.StreamAppend{Stream: stream, Expected: eventstore.NoStream, Events: newEvents(stream, 1+i%4)})
	}
	appends = append(appends,
		eventstore.StreamAppend{Stream: existing, Expected: eventstore.Exact(1), Events: newEvents(existing, 2)},
		eventstore.StreamAppend{Stream: retried, Expected: eventstore.NoStream, Events: retriedEvs},
		eventstore.StreamAppend{Stream: sc.stream("stale"), Expected: eventstore.StreamExists, Events: newEvents("stale", 1)})
	check := func(round int, out []eventstore.AppendOutcome) {
		t.Helper()
		if len(out) != len(appends) {
			t.Fatalf("round %d: %d outcomes for %d appends", round, len(out), len(appends))
		}
		for i, a := range appends[:20] {
			if out[i].Err != nil {
				t.Fatalf("round %d: new stream %s: %v", round, a.Stream, out[i].Err)
			}
			got := readWholeStream(t, s, a.Stream, 10)
			if len(got) != len(a.Events) {
				t.Fatalf("round %d: %s holds %d events, appended %d", round, a.Stream, len(got), len(a.Events))
			}
			for r, e := range got {
				if e.ID != a.Events[r].ID || e.Revision != uint64(r) {
					t.Fatalf("round %d: %s@%d is %s, want %s", round, a.Stream, e.Revision, e.ID, a.Events[r].ID)
				}
			}
			checkStrictlyIncreasing(t, got)
			last := got[len(got)-1]
			if out[i].Result.Revision != last.Revision || out[i].Result.Position != last.Position {
				t.Fatalf("round %d: %s answered %+v, its last event is at revision %d position %d", round, a.Stream, out[i].Result, last.Revision, last.Position)
			}
		}
		if r := out[20]; r.Err != nil || r.Result.Revision != 3 {
			if round == 0 || !errors.Is(r.Err, eventstore.ErrWrongExpectedRevision) {
				t.Fatalf("round %d: append to the existing stream at its revision: %+v", round, r)
			}
		}
		if r := out[21]; r.Err != nil || r.Result != retriedRes {
			t.Fatalf("round %d: idempotent retry answered %+v, want %+v", round, r, retriedRes)
		}
		if r := out[22]; !errors.Is(r.Err, eventstore.ErrWrongExpectedRevision) {
			t.Fatalf("round %d: stream-exists append to a missing stream: %v, want a wrong expected revision", round, r.Err)
		}
	}
	out, err := eventstore.AppendBatch(ctx, s, appends, 4)
	if err != nil {
		t.Fatal(err)
	}
	check(0, out)
	head, err := s.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := eventstore.AppendBatch(ctx, s, appends, 4)
	if err != nil {
		t.Fatal(err)
	}
	check(1, again)
	for i := range 20 {
		if again[i].Result != out[i].Result {
			t.Fatalf("batch again: %s answered %+v, first %+v", appends[i].Stream, again[i].Result, out[i].Result)
		}
	}
	if h, err := s.HeadPosition(ctx); err != nil || h != head {
		t.Fatalf("head after the batch again: %d (%v), before %d: it wrote", h, err, head)
	}
}
