package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// testAtomicAppend checks eventstore.AtomicAppender on stores that have it: a call writes
// every append in order (several to one stream, new and existing streams), a call that fails
// on any append stores nothing of it, a repeated call is answered from the stored events, and
// of racing calls on the same streams exactly one wins, whole.
func testAtomicAppend(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	at, ok := s.(eventstore.AtomicAppender)
	if !ok {
		t.Skip("the store has no multi-stream transactions (eventstore.AtomicAppender): callers append stream by stream")
	}
	ctx := ctxT(t, time.Minute)
	a, bs, c := sc.stream("a"), sc.stream("b"), sc.stream("c")
	mustAppend(t, s, bs, eventstore.NoStream, newEvents(bs, 2))
	appends := []eventstore.StreamAppend{
		{Stream: a, Expected: eventstore.NoStream, Events: newEvents(a, 3)},
		{Stream: bs, Expected: eventstore.Exact(1), Events: newEvents(bs, 1)},
		{Stream: a, Expected: eventstore.Exact(2), Events: newEvents(a, 1)},
		{Stream: c, Expected: eventstore.NoStream, Events: newEvents(c, 1)},
	}
	out, err := at.AppendAtomic(ctx, appends)
	if err != nil {
		t.Fatalf("atomic append: %v", err)
	}
	wantRevisions := []uint64{2, 2, 3, 0}
	var last eventstore.Position
	for i, r := range out {
		if r.Revision != wantRevisions[i] || r.Position <= last {
			t.Fatalf("append %d answered %+v: want revision %d at a position after %d (the order of the appends)", i, r, wantRevisions[i], last)
		}
		last = r.Position
	}
	gotA, gotB := readWholeStream(t, s, a, 10), readWholeStream(t, s, bs, 10)
	wantA := append(append([]eventstore.EventData{}, appends[0].Events...), appends[2].Events...)
	if len(gotA) != 4 || len(gotB) != 3 || len(readWholeStream(t, s, c, 10)) != 1 {
		t.Fatalf("streams hold %d, %d events, want 4 and 3", len(gotA), len(gotB))
	}
	for i, e := range gotA {
		if e.ID != wantA[i].ID || e.Revision != uint64(i) {
			t.Fatalf("%s@%d is %s, want %s", a, e.Revision, e.ID, wantA[i].ID)
		}
	}
	if gotA[3].Position != out[2].Position || gotB[2].Position != out[1].Position {
		t.Fatalf("answered positions %d and %d, stored %d and %d", out[2].Position, out[1].Position, gotA[3].Position, gotB[2].Position)
	}
	head, err := s.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// The same call again is answered from the stored events and writes nothing.
	again, err := at.AppendAtomic(ctx, appends)
	if err != nil {
		t.Fatalf("repeated atomic append: %v", err)
	}
	for i := range out {
		if again[i] != out[i] {
			t.Fatalf("repeated append %d answered %+v, want the original %+v", i, again[i], out[i])
		}
	}
	if h, err := s.HeadPosition(ctx); err != nil || h != head {
		t.Fatalf("the repeated call moved the head from %d to %d (%v)", head, h, err)
	}

	// A call that fails on any of its appends stores none of them.
	gone := sc.stream("gone")
	mustAppend(t, s, gone, eventstore.NoStream, newEvents(gone, 1))
	if err := s.Tombstone(ctx, gone, eventstore.Exact(0)); err != nil {
		t.Fatal(err)
	}
	head, err = s.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh := sc.stream("fresh")
	failing := []struct {
		name string
		bad  eventstore.StreamAppend
		want error
	}{
		{"stale revision", eventstore.StreamAppend{Stream: bs, Expected: eventstore.Exact(1), Events: newEvents(bs, 1)}, eventstore.ErrWrongExpectedRevision},
		{"existing stream at no-stream", eventstore.StreamAppend{Stream: c, Expected: eventstore.NoStream, Events: newEvents(c, 1)}, eventstore.ErrWrongExpectedRevision},
		{"deleted stream", eventstore.StreamAppend{Stream: gone, Expected: eventstore.Any, Events: newEvents(gone, 1)}, eventstore.ErrStreamDeleted},
		{"event ID of another stream", eventstore.StreamAppend{Stream: sc.stream("dup"), Expected: eventstore.NoStream, Events: appends[3].Events}, eventstore.ErrDuplicateEventID},
	}
	for _, f := range failing {
		call := []eventstore.StreamAppend{
			{Stream: fresh, Expected: eventstore.NoStream, Events: newEvents(fresh, 2)},
			{Stream: a, Expected: eventstore.Exact(3), Events: newEvents(a, 1)},
			f.bad,
		}
		if _, err := at.AppendAtomic(ctx, call); !errors.Is(err, f.want) {
			t.Fatalf("%s: %v, want %v", f.name, err, f.want)
		}
		if h, err := s.HeadPosition(ctx); err != nil || h != head {
			t.Fatalf("%s: head moved from %d to %d (%v): a failed call stored events", f.name, head, h, err)
		}
		if _, err := s.ReadStream(ctx, fresh, eventstore.Forwards, 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Fatalf("%s: the new stream of a failed call: %v, want it not found", f.name, err)
		}
		if n := len(readWholeStream(t, s, a, 10)); n != 4 {
			t.Fatalf("%s: %s holds %d events after a failed call, want 4", f.name, a, n)
		}
	}

	// Racing calls on the same two streams: exactly one wins, and its events are in both.
	x, y := sc.stream("x"), sc.stream("y")
	mustAppend(t, s, x, eventstore.NoStream, newEvents(x, 1))
	mustAppend(t, s, y, eventstore.NoStream, newEvents(y, 1))
	const racers = 8
	calls := make([][]eventstore.StreamAppend, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		calls[i] = []eventstore.StreamAppend{
			{Stream: x, Expected: eventstore.Exact(0), Events: newEvents(x, 1)},
			{Stream: y, Expected: eventstore.Exact(0), Events: newEvents(y, 2)},
		}
		wg.Go(func() { _, errs[i] = at.AppendAtomic(ctx, calls[i]) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("racers %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, eventstore.ErrWrongExpectedRevision):
			t.Fatalf("racer %d: %v, want a wrong expected revision", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no racer won")
	}
	gotX, gotY := readWholeStream(t, s, x, 10), readWholeStream(t, s, y, 10)
	if len(gotX) != 2 || len(gotY) != 3 || gotX[1].ID != calls[winner][0].Events[0].ID || gotY[1].ID != calls[winner][1].Events[0].ID ||
		gotY[2].ID != calls[winner][1].Events[1].ID {
		t.Fatalf("after the race %s holds %d and %s %d events, not the winner's alone", x, len(gotX), y, len(gotY))
	}
}
