package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// testRacingWriters: 16 goroutines append at the same expected revision, round after round.
// Exactly one wins each round; every loser gets the typed error with the winner's revision.
func testRacingWriters(t *testing.T, b Backend) {
	const writers, rounds = 16, 25
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, 2*time.Minute)
	stream := sc.stream("race")
	for round := range rounds {
		expected := eventstore.NoStream
		if round > 0 {
			expected = eventstore.Exact(uint64(round - 1))
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []uuid.UUID
			errs    []error
		)
		start := make(chan struct{})
		for range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				evs := newEvents(stream, 1)
				<-start
				_, err := s.Append(ctx, stream, expected, evs)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					winners = append(winners, evs[0].ID)
				} else {
					errs = append(errs, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: %d winners, want exactly 1 (errors: %v)", round, len(winners), errs)
		}
		for _, err := range errs {
			var wer *eventstore.WrongExpectedRevisionError
			if !errors.As(err, &wer) {
				t.Fatalf("round %d: loser got %v, want *WrongExpectedRevisionError", round, err)
			}
			if want := (eventstore.ActualRevision{Exists: true, Revision: uint64(round)}); wer.Actual != want {
				t.Fatalf("round %d: loser told actual %s, want %s", round, wer.Actual, want)
			}
		}
		got, err := s.ReadStream(ctx, stream, eventstore.Forwards, uint64(round), 10)
		if err != nil || len(got) != 1 || got[0].ID != winners[0] {
			t.Fatalf("round %d: revision %d holds %v (err %v), want the winner %s", round, round, recordedIDs(got), err, winners[0])
		}
	}
}

// testPaging pages a 10,000-event stream forwards and backwards.
func testPaging(t *testing.T, b Backend) {
	const total, batch, page = 10000, 500, 333
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, 2*time.Minute)
	stream := sc.stream("long")
	var want []uuid.UUID
	for i := 0; i < total; i += batch {
		evs := newEvents(stream, batch)
		want = append(want, ids(evs)...)
		mustAppend(t, s, stream, eventstore.Any, evs)
	}

	fwd := readWholeStream(t, s, stream, page)
	if len(fwd) != total {
		t.Fatalf("forwards read %d events, want %d", len(fwd), total)
	}
	for i, e := range fwd {
		if e.Revision != uint64(i) || e.ID != want[i] {
			t.Fatalf("forwards event %d: revision %d id %s, want %d %s", i, e.Revision, e.ID, i, want[i])
		}
	}
	checkStrictlyIncreasing(t, fwd)

	var bwd []eventstore.RecordedEvent
	from := eventstore.End
	for {
		evs, err := s.ReadStream(ctx, stream, eventstore.Backwards, from, page)
		if err != nil {
			t.Fatalf("backwards read from %d: %v", from, err)
		}
		bwd = append(bwd, evs...)
		if len(evs) < page || evs[len(evs)-1].Revision == 0 {
			break
		}
		from = evs[len(evs)-1].Revision - 1
	}
	if len(bwd) != total {
		t.Fatalf("backwards read %d events, want %d", len(bwd), total)
	}
	for i, e := range bwd {
		if wantRev := uint64(total - 1 - i); e.Revision != wantRev || e.ID != want[wantRev] {
			t.Fatalf("backwards event %d: revision %d, want %d", i, e.Revision, wantRev)
		}
	}
	if evs, err := s.ReadStream(ctx, stream, eventstore.Forwards, total, page); err != nil || len(evs) != 0 {
		t.Fatalf("read past the end: %d events, err %v; want none", len(evs), err)
	}
	if evs, err := s.ReadStream(ctx, stream, eventstore.Backwards, 5, page); err != nil || len(evs) != 6 || evs[5].Revision != 0 {
		t.Fatalf("backwards from revision 5: %d events, err %v; want revisions 5..0", len(evs), err)
	}
}

// testAllPositions interleaves appends to several streams and reads them back from $all.
func testAllPositions(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	var want []uuid.UUID
	for i := range 60 {
		stream := sc.stream(i % 7)
		evs := newEvents(stream, 1+i%3)
		want = append(want, ids(evs)...)
		mustAppend(t, s, stream, eventstore.Any, evs)
	}
	for _, page := range []int{1, 7, 1000} {
		got := readAllOf(t, s, sc, page)
		if fmt.Sprint(recordedIDs(got)) != fmt.Sprint(want) {
			t.Fatalf("page %d: $all order differs from append order (%d events, want %d)", page, len(got), len(want))
		}
		checkStrictlyIncreasing(t, got)
	}
	other := eventstore.Filter{StreamPrefixes: []string{sc.prefix + "_nothing"}}
	if evs, err := s.ReadAll(ctxT(t, time.Minute), eventstore.Start, 100, other); err != nil || len(evs) != 0 {
		t.Fatalf("filter matching nothing returned %d events (err %v)", len(evs), err)
	}
	typed := eventstore.Filter{StreamPrefixes: []string{sc.prefix}, TypePrefixes: []string{"storetest."}}
	if evs, err := s.ReadAll(ctxT(t, time.Minute), eventstore.Start, 1000, typed); err != nil || len(evs) != len(want) {
		t.Fatalf("type filter returned %d events (err %v), want %d", len(evs), err, len(want))
	}
	untyped := eventstore.Filter{StreamPrefixes: []string{sc.prefix}, TypePrefixes: []string{"other."}}
	if evs, err := s.ReadAll(ctxT(t, time.Minute), eventstore.Start, 1000, untyped); err != nil || len(evs) != 0 {
		t.Fatalf("non-matching type filter returned %d events (err %v)", len(evs), err)
	}
	// An exact type is not a prefix: a filter on version 1 never selects version 10.
	v1, v10 := newEvents(sc.stream("versions"), 1), newEvents(sc.stream("versions"), 1)
	v1[0].Type, v10[0].Type = "storetest.exact.v1", "storetest.exact.v10"
	mustAppend(t, s, sc.stream("versions"), eventstore.NoStream, append(v1, v10...))
	exact := eventstore.Filter{StreamPrefixes: []string{sc.prefix}, Types: []string{v1[0].Type}}
	if evs, err := s.ReadAll(ctxT(t, time.Minute), eventstore.Start, 1000, exact); err != nil || len(evs) != 1 || evs[0].ID != v1[0].ID {
		t.Fatalf("exact type filter on %s returned %d events (err %v), want only the v1 event", v1[0].Type, len(evs), err)
	}
}

func testHeadPosition(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, time.Minute)
	before, err := s.HeadPosition(ctx)
	if err != nil {
		t.Fatalf("head position: %v", err)
	}
	res := mustAppend(t, s, sc.stream("h"), eventstore.NoStream, newEvents(sc.stream("h"), 3))
	after, err := s.HeadPosition(ctx)
	if err != nil {
		t.Fatalf("head position: %v", err)
	}
	if after < res.Position || after <= before {
		t.Fatalf("head moved from %d to %d, want at least the append's position %d", before, after, res.Position)
	}
}
