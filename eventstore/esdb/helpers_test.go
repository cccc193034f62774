package esdb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/esdb"
)

// open opens a store on url and closes it when t ends.
func open(t testing.TB, url string) *esdb.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := esdb.Open(ctx, url, esdb.Options{MaxReconnectBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// events returns n distinct events for stream.
func events(stream string, n int) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = eventstore.EventData{
			ID:   uuid.New(),
			Type: "esdbtest.thing_happened.v1",
			Data: json.RawMessage(fmt.Sprintf(`{"stream":%q,"n":%d}`, stream, i)),
			Metadata: eventstore.Metadata{
				CorrelationID: "corr-" + stream, UserID: "u1",
				OccurredAt: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
			},
		}
	}
	return out
}

func mustAppend(t testing.TB, s eventstore.Store, stream string, exp eventstore.ExpectedRevision, evs []eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctxFor(t), stream, exp, evs)
	if err != nil {
		t.Fatalf("append %d events to %s at %s: %v", len(evs), stream, exp, err)
	}
	return res
}

// receive takes n events from sub or fails after d.
func receive(t testing.TB, sub eventstore.Subscription, n int, d time.Duration) []eventstore.RecordedEvent {
	t.Helper()
	out := make([]eventstore.RecordedEvent, 0, n)
	deadline := time.After(d)
	for len(out) < n {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", len(out), n, sub.Err())
			}
			out = append(out, e)
		case <-deadline:
			t.Fatalf("received %d of %d events in %s", len(out), n, d)
		}
	}
	return out
}

// quiet fails if sub delivers anything within d.
func quiet(t testing.TB, sub eventstore.Subscription, d time.Duration) {
	t.Helper()
	select {
	case e, ok := <-sub.Events():
		if ok {
			t.Fatalf("unexpected event %s (%s in %s) at %d", e.ID, e.Type, e.Stream, e.Position)
		}
	case <-time.After(d):
	}
}
