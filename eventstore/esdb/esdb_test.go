package esdb_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/esdb"
	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
)

func TestAppendAndReadBothDirections(t *testing.T) {
	s := open(t, esdbtest.New(t).URL())
	ctx := ctxFor(t)
	evs := events("sale-1", 5)
	res := mustAppend(t, s, "sale-1", eventstore.NoStream, evs)
	if res.Revision != 4 {
		t.Fatalf("revision = %d, want 4", res.Revision)
	}
	fwd, err := s.ReadStream(ctx, "sale-1", eventstore.Forwards, 1, 3)
	if err != nil || len(fwd) != 3 || fwd[0].Revision != 1 || fwd[2].ID != evs[3].ID {
		t.Fatalf("forwards from 1: %d events, err %v", len(fwd), err)
	}
	back, err := s.ReadStream(ctx, "sale-1", eventstore.Backwards, eventstore.End, 2)
	if err != nil || len(back) != 2 || back[0].Revision != 4 || back[1].Revision != 3 {
		t.Fatalf("backwards from end: %+v, err %v", back, err)
	}
	if back[0].Position != res.Position {
		t.Fatalf("last event at %d, append reported %d", back[0].Position, res.Position)
	}
	if got := back[0].Metadata; got.CorrelationID != "corr-sale-1" || !got.OccurredAt.Equal(evs[4].Metadata.OccurredAt) {
		t.Fatalf("metadata = %+v", got)
	}
	if past, err := s.ReadStream(ctx, "sale-1", eventstore.Forwards, 5, 10); err != nil || len(past) != 0 {
		t.Fatalf("read past the end: %d events, err %v; want none", len(past), err)
	}
	if _, err := s.ReadStream(ctx, "sale-none", eventstore.Forwards, 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("missing stream: err = %v, want ErrStreamNotFound", err)
	}
}

func TestWrongExpectedRevisionCarriesActual(t *testing.T) {
	s := open(t, esdbtest.New(t).URL())
	ctx := ctxFor(t)
	check := func(err error, want eventstore.ActualRevision) {
		t.Helper()
		var wer *eventstore.WrongExpectedRevisionError
		if !errors.As(err, &wer) {
			t.Fatalf("err = %v, want *WrongExpectedRevisionError", err)
		}
		if wer.Actual != want || wer.Stream != "shift-1" {
			t.Fatalf("actual = %s on %s, want %s on shift-1", wer.Actual, wer.Stream, want)
		}
	}
	_, err := s.Append(ctx, "shift-1", eventstore.StreamExists, events("shift-1", 1))
	check(err, eventstore.ActualRevision{})
	mustAppend(t, s, "shift-1", eventstore.NoStream, events("shift-1", 3))
	_, err = s.Append(ctx, "shift-1", eventstore.Exact(7), events("shift-1", 1))
	check(err, eventstore.ActualRevision{Exists: true, Revision: 2})
	_, err = s.Append(ctx, "shift-1", eventstore.NoStream, events("shift-1", 1))
	check(err, eventstore.ActualRevision{Exists: true, Revision: 2})
	check(s.Tombstone(ctx, "shift-1", eventstore.Exact(0)), eventstore.ActualRevision{Exists: true, Revision: 2})
	check(s.Tombstone(ctx, "shift-1", eventstore.NoStream), eventstore.ActualRevision{Exists: true, Revision: 2})
	if err := s.Tombstone(ctx, "shift-1", eventstore.StreamExists); err != nil {
		t.Fatalf("tombstone: %v", err)
	}
	if err := s.Tombstone(ctx, "shift-1", eventstore.Any); !errors.Is(err, eventstore.ErrStreamDeleted) {
		t.Fatalf("tombstone twice: err = %v, want ErrStreamDeleted", err)
	}
	if _, err := s.Append(ctx, "shift-1", eventstore.Any, events("shift-1", 1)); !errors.Is(err, eventstore.ErrStreamDeleted) {
		t.Fatalf("append after tombstone: err = %v, want ErrStreamDeleted", err)
	}
}

func TestIdempotentReappend(t *testing.T) {
	s := open(t, esdbtest.New(t).URL())
	ctx := ctxFor(t)
	first := events("product-1", 3)
	r1 := mustAppend(t, s, "product-1", eventstore.NoStream, first)
	mustAppend(t, s, "product-1", eventstore.Exact(2), events("product-1", 2))
	for _, exp := range []eventstore.ExpectedRevision{eventstore.NoStream, eventstore.Any} {
		if again := mustAppend(t, s, "product-1", exp, first); again != r1 {
			t.Fatalf("re-append at %s = %+v, want the original %+v", exp, again, r1)
		}
	}
	// The same first ID followed by a new event is not a retry: the server refuses it.
	mixed := append(first[:1:1], events("product-1", 1)...)
	if _, err := s.Append(ctx, "product-1", eventstore.NoStream, mixed); !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("partly repeated append: err = %v, want wrong expected revision", err)
	}
	if got, err := s.ReadStream(ctx, "product-1", eventstore.Forwards, 0, 100); err != nil || len(got) != 5 {
		t.Fatalf("stream has %d events (err %v), want 5", len(got), err)
	}
}

func TestSystemEventsAreExcluded(t *testing.T) {
	srv := esdbtest.NewWithOptions(t, esdbtest.Options{SystemEventEvery: 1})
	s := open(t, srv.URL())
	ctx := ctxFor(t)
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	defer sub.Close()
	typed, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{TypePrefixes: []string{"esdbtest."}})
	if err != nil {
		t.Fatalf("subscribe by type: %v", err)
	}
	defer typed.Close()
	var last eventstore.AppendResult
	for i := range 5 {
		last = mustAppend(t, s, "sale-"+string(rune('a'+i)), eventstore.NoStream, events("sale", 2))
	}
	if err := s.Tombstone(ctx, "sale-a", eventstore.Any); err != nil {
		t.Fatalf("tombstone: %v", err)
	}
	srv.WriteSystemEvent("$scavenges", "$scavengeStarted")

	all, err := s.ReadAll(ctx, eventstore.Start, 1000, eventstore.Filter{})
	if err != nil || len(all) != 10 {
		t.Fatalf("$all read %d events (err %v), want the 10 user events", len(all), err)
	}
	for _, e := range all {
		if strings.HasPrefix(e.Type, "$") || strings.HasPrefix(e.Stream, "$") {
			t.Fatalf("system event %s in %s returned", e.Type, e.Stream)
		}
	}
	head, err := s.HeadPosition(ctx)
	if err != nil || head != last.Position {
		t.Fatalf("head = %d (err %v), want the last user event's %d despite later system events", head, err, last.Position)
	}
	for _, sb := range []eventstore.Subscription{sub, typed} {
		got := receive(t, sb, 10, 10*time.Second)
		if got[9].Position != last.Position {
			t.Fatalf("subscription's 10th event at %d, want %d", got[9].Position, last.Position)
		}
		quiet(t, sb, 200*time.Millisecond)
	}
}

// TestSubscriptionResumesAfterDroppedConnections drops the server's streams repeatedly while a
// subscription catches up and while it is live: every event arrives once, in order.
func TestSubscriptionResumesAfterDroppedConnections(t *testing.T) {
	srv := esdbtest.NewWithOptions(t, esdbtest.Options{SystemEventEvery: 3})
	s := open(t, srv.URL())
	ctx := ctxFor(t)
	var want []eventstore.EventData
	for i := range 30 {
		evs := events("sale-h", 10)
		want = append(want, evs...)
		mustAppend(t, s, "sale-"+string(rune('a'+i%4)), eventstore.Any, evs)
	}
	sub, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{StreamPrefixes: []string{"sale-"}})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	defer sub.Close()
	got := receive(t, sub, 50, 10*time.Second)
	srv.DropConnections()
	got = append(got, receive(t, sub, 100, 10*time.Second)...)
	srv.DropConnections()
	got = append(got, receive(t, sub, 150, 10*time.Second)...)
	for i := range 6 {
		evs := events("sale-live", 2)
		want = append(want, evs...)
		mustAppend(t, s, "sale-live", eventstore.Any, evs)
		if i%2 == 0 {
			srv.DropConnections()
		}
		got = append(got, receive(t, sub, 2, 10*time.Second)...)
	}
	quiet(t, sub, 300*time.Millisecond)
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID {
			t.Fatalf("event %d is %s, want %s", i, got[i].ID, want[i].ID)
		}
		if i > 0 && got[i].Position <= got[i-1].Position {
			t.Fatalf("positions not increasing at %d: %d after %d", i, got[i].Position, got[i-1].Position)
		}
	}
}

func TestSubscriptionEndsCleanly(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, err := esdbtest.Start(esdbtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := esdb.Open(ctx, srv.URL(), esdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append(ctx, "sale-1", eventstore.NoStream, events("sale-1", 3)); err != nil {
		t.Fatal(err)
	}
	byClose, err := s.SubscribeAll(ctx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	receive(t, byClose, 3, 10*time.Second)
	srv.DropConnections() // a reconnect in flight must not outlive Close either
	if err := byClose.Close(); err != nil || byClose.Err() != nil {
		t.Fatalf("close = %v, Err = %v; want nil, nil", err, byClose.Err())
	}
	subCtx, subCancel := context.WithCancel(ctx)
	byCancel, err := s.SubscribeAll(subCtx, eventstore.Start, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	receive(t, byCancel, 3, 10*time.Second)
	subCancel()
	for range byCancel.Events() {
	}
	if err := byCancel.Err(); err != nil {
		t.Fatalf("Err after cancel = %v, want nil", err)
	}
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close() // nothing listens there now
	ctx := ctxFor(t)
	_, err = esdb.Open(ctx, "esdb://"+addr+"?tls=false&maxDiscoverAttempts=2&discoveryInterval=10", esdb.Options{})
	if !errors.Is(err, eventstore.ErrUnavailable) {
		t.Fatalf("open an unreachable server: err = %v, want ErrUnavailable", err)
	}
}

func TestClosedStore(t *testing.T) {
	s := open(t, esdbtest.New(t).URL())
	_ = s.Close()
	if _, err := s.Append(ctxFor(t), "sale-1", eventstore.Any, events("sale-1", 1)); err == nil {
		t.Fatal("append on a closed store succeeded")
	}
	if _, err := s.SubscribeAll(ctxFor(t), eventstore.Start, eventstore.Filter{}); err == nil {
		t.Fatal("subscribe on a closed store succeeded")
	}
}

// TestIdempotentReappendWithoutPosition: servers that answer a retry without a position still
// give the caller the original append's position.
func TestIdempotentReappendWithoutPosition(t *testing.T) {
	s := open(t, esdbtest.NewWithOptions(t, esdbtest.Options{NoPositionOnRetry: true}).URL())
	first := events("sale-1", 2)
	r1 := mustAppend(t, s, "sale-1", eventstore.NoStream, first)
	mustAppend(t, s, "sale-1", eventstore.Any, events("sale-1", 1))
	if again := mustAppend(t, s, "sale-1", eventstore.NoStream, first); again != r1 {
		t.Fatalf("re-append = %+v, want the original %+v", again, r1)
	}
}
