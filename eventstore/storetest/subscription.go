package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/odata-pos/pos/eventstore"
)

// deliveryTimeout bounds how long a committed event may take to reach a subscriber.
const deliveryTimeout = 30 * time.Second

func subscribe(t testing.TB, s eventstore.Store, ctx context.Context, from eventstore.Position, f eventstore.Filter) eventstore.Subscription {
	t.Helper()
	sub, err := s.SubscribeAll(ctx, from, f)
	if err != nil {
		t.Fatalf("subscribe from %d: %v", from, err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

// appendRetrying appends like a command handler does: a failure to reach the server is
// retried, which event IDs make safe.
func appendRetrying(t testing.TB, s eventstore.Store, stream string, evs []eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	var err error
	for range 10 {
		var res eventstore.AppendResult
		if res, err = s.Append(ctxT(t, 30*time.Second), stream, eventstore.Any, evs); err == nil {
			return res
		}
		if !errors.Is(err, eventstore.ErrUnavailable) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("append to %s: %v", stream, err)
	return eventstore.AppendResult{}
}

// testOutOfOrderCommit: writer A takes its place in $all first and commits 2 s later; writer B
// commits at once. A subscriber started before both delivers both, exactly once, in position
// order, and never skips A.
func testOutOfOrderCommit(t *testing.T, b Backend) {
	const hold = 2 * time.Second
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, 2*time.Minute)
	head, err := s.HeadPosition(ctx)
	if err != nil {
		t.Fatalf("head: %v", err)
	}
	sub := subscribe(t, s, ctx, head, sc.filter())
	streamA, streamB := sc.stream("A"), sc.stream("B")
	evA, evB := newEvents(streamA, 1), newEvents(streamB, 1)

	if b.AppendHeld == nil {
		// Positions are assigned at commit here: delay A's whole append instead.
		errA := make(chan error, 1)
		go func() {
			time.Sleep(hold)
			_, err := s.Append(ctx, streamA, eventstore.Any, evA)
			errA <- err
		}()
		mustAppend(t, s, streamB, eventstore.Any, evB)
		if err := <-errA; err != nil {
			t.Fatalf("delayed append A: %v", err)
		}
		got := receive(t, sub, 2, deliveryTimeout)
		if got[0].ID != evB[0].ID || got[1].ID != evA[0].ID {
			t.Fatalf("delivered %v, want B then A", recordedIDs(got))
		}
		checkStrictlyIncreasing(t, got)
		expectQuiet(t, sub, 500*time.Millisecond)
		return
	}

	release := make(chan struct{})
	doneA := b.AppendHeld(t, s, streamA, evA, release)
	resB := mustAppend(t, s, streamB, eventstore.Any, evB)

	// While A is in flight, nobody may see B: seeing it first means skipping A for good.
	if evs, err := s.ReadAll(ctx, head, 100, sc.filter()); err != nil || len(evs) != 0 {
		t.Fatalf("$all read while A is in flight returned %d events (err %v): B is visible before A", len(evs), err)
	}
	expectQuiet(t, sub, hold)
	close(release)
	if err := <-doneA; err != nil {
		t.Fatalf("held append A: %v", err)
	}
	got := receive(t, sub, 2, deliveryTimeout)
	if got[0].ID != evA[0].ID || got[1].ID != evB[0].ID {
		t.Fatalf("delivered %v, want A then B", recordedIDs(got))
	}
	if got[0].Position >= got[1].Position || got[1].Position != resB.Position {
		t.Fatalf("positions A=%d B=%d (B appended at %d): want A first in $all", got[0].Position, got[1].Position, resB.Position)
	}
	expectQuiet(t, sub, 500*time.Millisecond)
	if all := readAllOf(t, s, sc, 10); len(all) != 2 {
		t.Fatalf("$all holds %d of the test's events after both commits, want 2", len(all))
	}
}

// testSubscribeResume: a subscriber stopped mid-way resumes from its checkpoint without loss or
// duplicates, through history and then live events.
func testSubscribeResume(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, 2*time.Minute)
	var want []eventstore.EventData
	for i := range 25 {
		evs := newEvents(sc.stream(i%4), 2)
		want = append(want, evs...)
		mustAppend(t, s, sc.stream(i%4), eventstore.Any, evs)
	}
	sub := subscribe(t, s, ctx, eventstore.Start, sc.filter())
	first := receive(t, sub, 20, deliveryTimeout)
	if err := sub.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	drainClosed(t, sub)
	if err := sub.Err(); err != nil {
		t.Fatalf("Err after Close = %v, want nil", err)
	}

	sub = subscribe(t, s, ctx, first[len(first)-1].Position, sc.filter())
	rest := receive(t, sub, 30, deliveryTimeout)
	live := newEvents(sc.stream("live"), 5)
	want = append(want, live...)
	mustAppend(t, s, sc.stream("live"), eventstore.NoStream, live)
	rest = append(rest, receive(t, sub, 5, deliveryTimeout)...)
	expectQuiet(t, sub, 300*time.Millisecond)

	got := append(first, rest...)
	checkStrictlyIncreasing(t, got)
	for i, e := range got {
		if e.ID != want[i].ID {
			t.Fatalf("event %d delivered is %s, want %s", i, e.ID, want[i].ID)
		}
	}
}

// testSubscribeKilledConnections: the store's server connections are killed mid-stream (during
// catch-up and again when live); the subscription reconnects and delivers everything once.
func testSubscribeKilledConnections(t *testing.T, b Backend) {
	if b.KillConnections == nil {
		t.Skip("this backend cannot sever its own connections (no server under the test's control)")
	}
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, 3*time.Minute)
	seen := map[string]bool{}
	total := 0
	for i := range 40 {
		appendRetrying(t, s, sc.stream(i%5), newEvents(sc.stream(i%5), 50))
		total += 50
	}
	sub := subscribe(t, s, ctx, eventstore.Start, sc.filter())
	var got []eventstore.RecordedEvent
	got = append(got, receive(t, sub, 500, deliveryTimeout)...)
	b.KillConnections(t, s)
	got = append(got, receive(t, sub, total-500, deliveryTimeout)...)
	b.KillConnections(t, s)
	for i := range 10 {
		appendRetrying(t, s, sc.stream("live"), newEvents(sc.stream("live"), 3))
		total += 3
		if i == 4 {
			b.KillConnections(t, s)
		}
	}
	got = append(got, receive(t, sub, 30, deliveryTimeout)...)
	expectQuiet(t, sub, 300*time.Millisecond)
	checkStrictlyIncreasing(t, got)
	for _, e := range got {
		if seen[e.ID.String()] {
			t.Fatalf("event %s delivered twice", e.ID)
		}
		seen[e.ID.String()] = true
	}
	if len(seen) != total {
		t.Fatalf("delivered %d distinct events, want %d", len(seen), total)
	}
}

func testSubscriptionFilter(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, time.Minute)
	f := eventstore.Filter{StreamPrefixes: []string{sc.prefix + "_item-keep"}}
	sub := subscribe(t, s, ctx, eventstore.Start, f)
	keep := newEvents(sc.stream("keep"), 3)
	mustAppend(t, s, sc.stream("drop"), eventstore.Any, newEvents(sc.stream("drop"), 4))
	mustAppend(t, s, sc.stream("keep"), eventstore.Any, keep)
	mustAppend(t, s, sc.stream("drop"), eventstore.Any, newEvents(sc.stream("drop"), 4))
	got := receive(t, sub, 3, deliveryTimeout)
	for i, e := range got {
		if e.ID != keep[i].ID {
			t.Fatalf("filtered subscription delivered %s (%s), want %s", e.ID, e.Stream, keep[i].ID)
		}
	}
	expectQuiet(t, sub, 300*time.Millisecond)
}

// testCloseStopsGoroutines: ending a subscription, by Close or by cancelling its context,
// stops every goroutine it started.
func testCloseStopsGoroutines(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	mustAppend(t, s, sc.stream("g"), eventstore.NoStream, newEvents(sc.stream("g"), 3))
	// Warm the store up (pools, shared listeners) before taking the goroutine baseline.
	warm := subscribe(t, s, context.Background(), eventstore.Start, sc.filter())
	receive(t, warm, 3, deliveryTimeout)
	_ = warm.Close()
	baseline := goleak.IgnoreCurrent()

	for range 3 {
		sub := subscribe(t, s, context.Background(), eventstore.Start, sc.filter())
		receive(t, sub, 3, deliveryTimeout)
		if err := sub.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		drainClosed(t, sub)
	}
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		sub := subscribe(t, s, ctx, eventstore.Start, sc.filter())
		receive(t, sub, 3, deliveryTimeout)
		cancel()
		drainClosed(t, sub)
		if err := sub.Err(); err != nil {
			t.Fatalf("Err after cancel = %v, want nil", err)
		}
	}
	goleak.VerifyNone(t, baseline)
}

// drainClosed waits until sub's channel is closed.
func drainClosed(t testing.TB, sub eventstore.Subscription) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-sub.Events():
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("subscription channel not closed 10 s after the subscription ended")
		}
	}
}
