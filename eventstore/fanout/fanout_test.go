package fanout_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/fanout"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// counting is a memstore that counts the $all reads made of it: the shared reader's
// subscriptions, the subscribers' own reads and ReadAll.
type counting struct {
	*memstore.Store
	subscribes, scans, reads atomic.Int64
}

func (c *counting) ReadAll(ctx context.Context, from eventstore.Position, limit int, f eventstore.Filter) ([]eventstore.RecordedEvent, error) {
	c.reads.Add(1)
	return c.Store.ReadAll(ctx, from, limit, f)
}

func (c *counting) SubscribeAll(ctx context.Context, from eventstore.Position, f eventstore.Filter) (eventstore.Subscription, error) {
	c.subscribes.Add(1)
	return c.Store.SubscribeAll(ctx, from, f)
}

func (c *counting) ScanAll(ctx context.Context, from eventstore.Position, limit int, f eventstore.Filter) ([]eventstore.RecordedEvent, eventstore.Position, error) {
	c.scans.Add(1)
	return c.Store.ScanAll(ctx, from, limit, f)
}

func newFanout(t *testing.T, window int) (*fanout.Store, *counting) {
	t.Helper()
	inner := &counting{Store: memstore.New()}
	s := fanout.New(inner, fanout.Options{Window: window, Page: 50})
	t.Cleanup(func() { _ = s.Close() })
	return s, inner
}

// appendN appends n events, one per stream, to streams named prefix-0, prefix-1, …
func appendN(t *testing.T, s eventstore.Store, prefix string, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		stream := fmt.Sprintf("%s-%d", prefix, i)
		ev := eventstore.EventData{ID: uuid.New(), Type: "test.happened.v1", Data: []byte(`{}`)}
		if _, err := s.Append(context.Background(), stream, eventstore.NoStream, []eventstore.EventData{ev}); err != nil {
			t.Fatalf("append %s: %v", stream, err)
		}
	}
}

func subscribe(t *testing.T, s eventstore.Store, from eventstore.Position, f eventstore.Filter) eventstore.Subscription {
	t.Helper()
	sub, err := s.SubscribeAll(context.Background(), from, f)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

// receive takes n events from sub and checks that their positions run after from, strictly
// increasing, and that each is of a stream with prefix (any when empty); it returns the last
// position.
func receive(t *testing.T, sub eventstore.Subscription, from eventstore.Position, n int, prefix string) eventstore.Position {
	t.Helper()
	last := from
	timeout := time.After(30 * time.Second)
	for i := range n {
		select {
		case ev, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", i, n, sub.Err())
			}
			if ev.Position <= last {
				t.Fatalf("event %d at position %d after %d: out of order or repeated", i, ev.Position, last)
			}
			if want := prefix + "-"; prefix != "" && !strings.HasPrefix(ev.Stream, want) {
				t.Fatalf("event %d of stream %s, want prefix %s", i, ev.Stream, want)
			}
			last = ev.Position
		case <-timeout:
			t.Fatalf("timed out after %d of %d events", i, n)
		}
	}
	return last
}

// expectNothing checks that sub delivers no further event for a moment.
func expectNothing(t *testing.T, sub eventstore.Subscription) {
	t.Helper()
	select {
	case ev := <-sub.Events():
		t.Fatalf("unexpected event at position %d", ev.Position)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestEverySubscriberSeesEveryEventOnceInOrder: subscribers of different filters, starting
// before and after the events, at the head and from the start, each get exactly their events.
func TestEverySubscriberSeesEveryEventOnceInOrder(t *testing.T) {
	s, _ := newFanout(t, 64)
	early := subscribe(t, s, eventstore.Start, eventstore.Filter{StreamPrefixes: []string{"a-"}})
	appendN(t, s, "a", 0, 150)
	appendN(t, s, "b", 0, 150)
	late := subscribe(t, s, eventstore.Start, eventstore.Filter{StreamPrefixes: []string{"b-"}})
	all := subscribe(t, s, eventstore.Start, eventstore.Filter{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		appendN(t, s, "a", 150, 150)
		appendN(t, s, "b", 150, 150)
	}()
	receive(t, early, eventstore.Start, 300, "a")
	receive(t, late, eventstore.Start, 300, "b")
	receive(t, all, eventstore.Start, 600, "")
	<-done
	expectNothing(t, early)
	expectNothing(t, late)
	expectNothing(t, all)
}

// TestAStalledSubscriberHoldsUpNoOther: one subscriber takes nothing while a thousand events
// are appended; the others get every event at once, and the stalled one, once it reads again,
// gets every event too (it fell behind the window and read on its own).
func TestAStalledSubscriberHoldsUpNoOther(t *testing.T) {
	s, _ := newFanout(t, 64)
	stalled := subscribe(t, s, eventstore.Start, eventstore.Filter{})
	live := subscribe(t, s, eventstore.Start, eventstore.Filter{})
	appendN(t, s, "a", 0, 1)
	receive(t, stalled, eventstore.Start, 1, "a")
	at := receive(t, live, eventstore.Start, 1, "a")
	appendN(t, s, "a", 1, 1000)
	receive(t, live, at, 1000, "a")
	receive(t, stalled, at, 1000, "a")
	expectNothing(t, stalled)
}

// TestARebuildingSubscriberHoldsUpNoOther: a subscriber that starts from the beginning of a
// long log reads it on its own, while live subscribers keep getting new events from the
// shared reader; then it joins them.
func TestARebuildingSubscriberHoldsUpNoOther(t *testing.T) {
	s, inner := newFanout(t, 64)
	appendN(t, s, "a", 0, 2000)
	live := subscribe(t, s, 2000, eventstore.Filter{})
	appendN(t, s, "a", 2000, 1)
	at := receive(t, live, 2000, 1, "a")
	rebuild := subscribe(t, s, eventstore.Start, eventstore.Filter{}) // not read yet
	appendN(t, s, "a", 2001, 100)
	receive(t, live, at, 100, "a")
	receive(t, rebuild, eventstore.Start, 2101, "a")
	appendN(t, s, "a", 2101, 10)
	receive(t, live, 2101, 10, "a")
	receive(t, rebuild, 2101, 10, "a")
	if n := inner.subscribes.Load(); n != 1 {
		t.Errorf("the store was subscribed to %d times, want once (one shared reader)", n)
	}
}

// TestCaughtUpSubscribersReadTheLogOnce: once every subscriber has joined the shared reader,
// new events cost one subscription to the store and no read of the subscribers' own, however
// many subscribers there are.
func TestCaughtUpSubscribersReadTheLogOnce(t *testing.T) {
	s, inner := newFanout(t, 1024)
	appendN(t, s, "a", 0, 10)
	subs := make([]eventstore.Subscription, 12)
	for i := range subs {
		subs[i] = subscribe(t, s, eventstore.Start, eventstore.Filter{})
		receive(t, subs[i], eventstore.Start, 10, "a")
	}
	scans := inner.scans.Load()
	appendN(t, s, "a", 10, 500)
	for _, sub := range subs {
		receive(t, sub, 10, 500, "a")
	}
	if n := inner.scans.Load() - scans; n != 0 {
		t.Errorf("subscribers made %d reads of their own after catching up, want 0", n)
	}
	if n := inner.subscribes.Load(); n != 1 {
		t.Errorf("the store was subscribed to %d times, want once", n)
	}
}

// TestASubscriberResumesFromItsCheckpoint: a subscription closed after some events and opened
// again from the last position it delivered gets the rest, once each, whether the shared
// reader still runs for others or stopped with the last subscriber.
func TestASubscriberResumesFromItsCheckpoint(t *testing.T) {
	for _, alone := range []bool{false, true} {
		t.Run(fmt.Sprintf("alone=%v", alone), func(t *testing.T) {
			s, _ := newFanout(t, 64)
			if !alone {
				subscribe(t, s, eventstore.Start, eventstore.Filter{StreamPrefixes: []string{"other-"}})
			}
			appendN(t, s, "a", 0, 100)
			first := subscribe(t, s, eventstore.Start, eventstore.Filter{})
			checkpoint := receive(t, first, eventstore.Start, 40, "a")
			_ = first.Close()
			appendN(t, s, "a", 100, 100)
			again := subscribe(t, s, checkpoint, eventstore.Filter{})
			receive(t, again, checkpoint, 160, "a")
			expectNothing(t, again)
		})
	}
}

// TestCloseEndsTheSubscriptions: closing the fan-out ends its subscriptions without an error.
func TestCloseEndsTheSubscriptions(t *testing.T) {
	s, _ := newFanout(t, 64)
	sub := subscribe(t, s, eventstore.Start, eventstore.Filter{})
	appendN(t, s, "a", 0, 1)
	receive(t, sub, eventstore.Start, 1, "a")
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	for range sub.Events() {
	}
	if err := sub.Err(); err != nil {
		t.Errorf("Err after Close = %v, want nil", err)
	}
	if _, err := s.SubscribeAll(context.Background(), eventstore.Start, eventstore.Filter{}); err == nil {
		t.Error("SubscribeAll after Close succeeded")
	}
}
