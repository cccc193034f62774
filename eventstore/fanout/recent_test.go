package fanout_test

import (
	"context"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/fanout"
)

// TestRecentReadsFromTheWindow reads $all through Recent while a subscriber keeps the shared
// reader running: the events the window holds come from it, without a read of the store, page
// by page up to the window's head; a read from behind the window, or with no reader running,
// goes to the store.
func TestRecentReadsFromTheWindow(t *testing.T) {
	s, inner := newFanout(t, 64)
	ctx := context.Background()
	recent := s.Recent()
	appendN(t, s, "a", 0, 10)
	if evs, err := recent.ReadAll(ctx, 0, 100, eventstore.Filter{}); err != nil || len(evs) != 10 || inner.reads.Load() != 1 {
		t.Fatalf("with no reader: %d events, %d store reads, %v; want 10 from the store", len(evs), inner.reads.Load(), err)
	}
	sub := subscribe(t, s, 10, eventstore.Filter{})
	appendN(t, s, "a", 10, 200)
	receive(t, sub, 10, 200, "a") // the shared reader runs from here at the latest
	appendN(t, s, "a", 210, 40)   // all in the window (it keeps at least its last 48)
	last := receive(t, sub, 210, 40, "a")
	awaitReader(t, s, inner, last)
	reads := inner.reads.Load()
	from := last - 40
	var got []eventstore.Position
	for at := from; at < last; {
		evs, err := recent.ReadAll(ctx, at, 15, eventstore.Filter{})
		if err != nil || len(evs) == 0 {
			t.Fatalf("read after %d: %d events, %v", at, len(evs), err)
		}
		for _, ev := range evs {
			got = append(got, ev.Position)
		}
		at = evs[len(evs)-1].Position
	}
	if n := inner.reads.Load() - reads; n != 0 {
		t.Fatalf("reads inside the window made %d store reads, want none", n)
	}
	for i, p := range got {
		if p != from+eventstore.Position(i)+1 {
			t.Fatalf("window read %v, want %d…%d", got, from+1, last)
		}
	}
	if len(got) != 40 {
		t.Fatalf("window read %d events, want 40", len(got))
	}
	if evs, err := recent.ReadAll(ctx, 10, 5, eventstore.Filter{}); err != nil || len(evs) != 5 || evs[0].Position != 11 || inner.reads.Load() != reads+1 {
		t.Fatalf("behind the window: %d events, %d store reads, %v; want 5 from 11 from the store", len(evs), inner.reads.Load(), err)
	}
	// At the reader's head the poll ends: nothing, and no read of the store (which would take
	// the caller past the reader, to the store at every poll after).
	reads = inner.reads.Load()
	if evs, err := recent.ReadAll(ctx, last, 15, eventstore.Filter{}); err != nil || len(evs) != 0 || inner.reads.Load() != reads {
		t.Fatalf("at the head: %d events, %d store reads, %v; want none and no store read", len(evs), inner.reads.Load()-reads, err)
	}
	// Ahead of the reader (a caller that resumed from further on): the store answers.
	if _, err := recent.ReadAll(ctx, last+5, 15, eventstore.Filter{}); err != nil || inner.reads.Load() != reads+1 {
		t.Fatalf("ahead of the reader: %d store reads, %v; want one", inner.reads.Load()-reads, err)
	}
}

// awaitReader waits for s's shared reader to reach position last: the subscriber may still be
// on reads of its own, and a read of the last event from the window leaves the store alone.
func awaitReader(t *testing.T, s *fanout.Store, inner *counting, last eventstore.Position) {
	t.Helper()
	for i := 0; ; i++ {
		reads := inner.reads.Load()
		if evs, err := s.Recent().ReadAll(context.Background(), last-1, 1, eventstore.Filter{}); err != nil || len(evs) != 1 || evs[0].Position != last {
			t.Fatalf("read of the last event: %v, %v", evs, err)
		}
		if inner.reads.Load() == reads {
			return
		}
		if i == 1000 {
			t.Fatal("the shared reader never reached the last event")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSlippingSaysWhenAPollerShouldReadBeforeTheWindowMovesOn: with no reader nothing is
// slipping; with one, a position at the head is not, one with a quarter of the window past it
// is, one with less is not, and one behind the window is.
func TestSlippingSaysWhenAPollerShouldReadBeforeTheWindowMovesOn(t *testing.T) {
	s, inner := newFanout(t, 64) // a quarter: 16 events; it keeps at least its last 48
	appendN(t, s, "a", 0, 10)
	if s.Slipping(0) {
		t.Fatal("slipping with no shared reader running")
	}
	sub := subscribe(t, s, 10, eventstore.Filter{})
	appendN(t, s, "a", 10, 200)
	receive(t, sub, 10, 200, "a") // the shared reader runs from here at the latest
	appendN(t, s, "a", 210, 40)
	last := receive(t, sub, 210, 40, "a")
	awaitReader(t, s, inner, last)
	for _, c := range []struct {
		pos  eventstore.Position
		want bool
	}{{last, false}, {last - 15, false}, {last - 16, true}, {last - 40, true}, {10, true}} {
		if got := s.Slipping(c.pos); got != c.want {
			t.Errorf("Slipping(%d) with the head at %d = %v, want %v", c.pos, last, got, c.want)
		}
	}
}
