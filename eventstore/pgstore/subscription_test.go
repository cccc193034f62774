package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// receiveN takes n events from sub within 30 s.
func receiveN(t testing.TB, sub eventstore.Subscription, n int) []eventstore.RecordedEvent {
	t.Helper()
	out := make([]eventstore.RecordedEvent, 0, n)
	timeout := time.After(30 * time.Second)
	for len(out) < n {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", len(out), n, sub.Err())
			}
			out = append(out, e)
		case <-timeout:
			t.Fatalf("received %d of %d events", len(out), n)
		}
	}
	return out
}

// quiet fails if sub delivers anything within d.
func quiet(t testing.TB, sub eventstore.Subscription, d time.Duration) {
	t.Helper()
	select {
	case e, ok := <-sub.Events():
		t.Fatalf("unexpected delivery (open %v) of position %d: %v", ok, e.Position, sub.Err())
	case <-time.After(d):
	}
}

// TestSubscriptionSurvivesTerminatedBackends kills every backend of the database, the LISTEN
// connection included, and checks that the subscription resumes without loss or repetition and
// is woken by another process's notification again (polling is set too slow to hide it).
func TestSubscriptionSurvivesTerminatedBackends(t *testing.T) {
	s, url := newStore(t, pgstore.Options{PollInterval: time.Minute})
	other, err := pgstore.Open(ctxT(t, time.Minute), url, pgstore.Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := ctxT(t, 2*time.Minute)
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{StreamPrefixes: []string{"sale-"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	mustAppend(t, other, "sale-1", eventstore.NoStream, events(3))
	mustAppend(t, other, "product-1", eventstore.NoStream, events(3))
	got := receiveN(t, sub, 3)

	kill := func() {
		t.Helper()
		if _, err := rawConn(t, url).Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 3 {
		kill()
		time.Sleep(200 * time.Millisecond) // let the listener notice and reconnect
		var res eventstore.AppendResult
		for attempt := 0; ; attempt++ {
			res, err = other.Append(ctx, "sale-1", eventstore.Any, events(2))
			if err == nil || attempt == 5 || !errors.Is(err, eventstore.ErrUnavailable) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("round %d: append after kill: %v", round, err)
		}
		start := time.Now()
		more := receiveN(t, sub, 2)
		if took := time.Since(start); took > 10*time.Second {
			t.Fatalf("round %d: delivery took %s: no notification after reconnecting", round, took)
		}
		if more[1].Position != res.Position {
			t.Fatalf("round %d: delivered through %d, appended through %d", round, more[1].Position, res.Position)
		}
		got = append(got, more...)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Position <= got[i-1].Position || got[i].Stream != "sale-1" {
			t.Fatalf("delivery %d: position %d in %s after %d", i, got[i].Position, got[i].Stream, got[i-1].Position)
		}
	}
	quiet(t, sub, 300*time.Millisecond)
}

func TestSubscriptionEndsCleanly(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	mustAppend(t, s, "sale-1", eventstore.NoStream, events(2))
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	receiveN(t, sub, 2)
	cancel()
	for range sub.Events() {
	}
	if err := sub.Err(); err != nil {
		t.Fatalf("Err after cancel = %v, want nil", err)
	}

	// Close of the store ends subscriptions left open, without an error.
	sub2, err := s.SubscribeAll(context.Background(), eventstore.Start, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	receiveN(t, sub2, 2)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-sub2.Events(); ok || sub2.Err() != nil {
		t.Fatalf("subscription after store Close: open %v, err %v", ok, sub2.Err())
	}
	if _, err := s.SubscribeAll(context.Background(), eventstore.Start, eventstore.Filter{}); err == nil {
		t.Fatal("subscribe on a closed store succeeded")
	}
}

// TestAListenerJoiningAfterAWriterLookedIsWokenSoon: a writer that found nobody listening
// skips its NOTIFYs until it looks again (a second later); a subscription whose listener
// connected meanwhile still gets the writer's next events within about that second, not at
// its next poll (a minute here).
func TestAListenerJoiningAfterAWriterLookedIsWokenSoon(t *testing.T) {
	s, url := newStore(t, pgstore.Options{PollInterval: time.Minute})
	writer, err := pgstore.Open(ctxT(t, time.Minute), url, pgstore.Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	mustAppend(t, writer, "sale-1", eventstore.NoStream, events(1)) // the writer looks: nobody listens
	time.Sleep(50 * time.Millisecond)
	sub, err := s.SubscribeAll(ctxT(t, time.Minute), eventstore.Start, eventstore.Filter{StreamPrefixes: []string{"sale-"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	receiveN(t, sub, 1)
	time.Sleep(100 * time.Millisecond) // the listener has connected; the writer has not looked again
	mustAppend(t, writer, "sale-1", eventstore.Exact(0), events(1))
	start := time.Now()
	receiveN(t, sub, 1)
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("the event reached the subscription after %s", took)
	}
}
