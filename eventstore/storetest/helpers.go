package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// testEventType is the type of every event the suite appends.
const testEventType = "storetest.happened.v1"

// scope gives one test its own stream names, so that the suite also runs against a shared
// server (a real EventStoreDB) whose $all holds other tests' events.
type scope struct {
	prefix string
}

func newScope(t testing.TB) scope {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random scope: %v", err)
	}
	return scope{prefix: "st" + hex.EncodeToString(b[:])}
}

// stream names a stream of the test's own category.
func (s scope) stream(id any) string { return fmt.Sprintf("%s_item-%v", s.prefix, id) }

// filter selects exactly the test's own events in $all.
func (s scope) filter() eventstore.Filter {
	return eventstore.Filter{StreamPrefixes: []string{s.prefix + "_"}}
}

// payload is the data of every test event.
type payload struct {
	Stream string `json:"stream"`
	Seq    int    `json:"seq"`
	Note   string `json:"note"`
}

// newEvents makes n events with fresh IDs and full metadata.
func newEvents(stream string, n int) []eventstore.EventData {
	evs := make([]eventstore.EventData, n)
	for i := range evs {
		data, _ := json.Marshal(payload{Stream: stream, Seq: i, Note: "<script>'; DROP TABLE events;--"})
		evs[i] = eventstore.EventData{
			ID:   uuid.New(),
			Type: testEventType,
			Data: data,
			Metadata: eventstore.Metadata{
				CorrelationID: uuid.NewString(),
				CausationID:   uuid.NewString(),
				CommandID:     uuid.NewString(),
				UserID:        "user-1",
				ApproverID:    "manager-7",
				StoreID:       "store-1",
				RegisterID:    "register-2",
				OccurredAt:    time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC),
				Extra:         map[string]string{"request_id": "req-1"},
			},
		}
	}
	return evs
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func mustAppend(t testing.TB, s eventstore.Store, stream string, exp eventstore.ExpectedRevision, evs []eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctxT(t, 30*time.Second), stream, exp, evs)
	if err != nil {
		t.Fatalf("append %d events to %s at %s: %v", len(evs), stream, exp, err)
	}
	return res
}

// readWholeStream reads a stream forwards in pages of size page.
func readWholeStream(t testing.TB, s eventstore.Store, stream string, page int) []eventstore.RecordedEvent {
	t.Helper()
	ctx := ctxT(t, time.Minute)
	var out []eventstore.RecordedEvent
	var from uint64
	for {
		evs, err := s.ReadStream(ctx, stream, eventstore.Forwards, from, page)
		if err != nil {
			t.Fatalf("read %s from %d: %v", stream, from, err)
		}
		out = append(out, evs...)
		if len(evs) < page {
			return out
		}
		from = evs[len(evs)-1].Revision + 1
	}
}

// readAllOf reads the scope's events from $all in pages of size page.
func readAllOf(t testing.TB, s eventstore.Store, sc scope, page int) []eventstore.RecordedEvent {
	t.Helper()
	ctx := ctxT(t, time.Minute)
	var out []eventstore.RecordedEvent
	from := eventstore.Start
	for {
		evs, err := s.ReadAll(ctx, from, page, sc.filter())
		if err != nil {
			t.Fatalf("read $all from %d: %v", from, err)
		}
		out = append(out, evs...)
		if len(evs) == 0 {
			return out
		}
		from = evs[len(evs)-1].Position
	}
}

// receive takes n events from sub, failing the test if they do not arrive within d.
func receive(t testing.TB, sub eventstore.Subscription, n int, d time.Duration) []eventstore.RecordedEvent {
	t.Helper()
	out := make([]eventstore.RecordedEvent, 0, n)
	timer := time.NewTimer(d)
	defer timer.Stop()
	for len(out) < n {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", len(out), n, sub.Err())
			}
			out = append(out, e)
		case <-timer.C:
			t.Fatalf("received %d of %d events within %s", len(out), n, d)
		}
	}
	return out
}

// expectQuiet fails if sub delivers anything within d.
func expectQuiet(t testing.TB, sub eventstore.Subscription, d time.Duration) {
	t.Helper()
	select {
	case e, ok := <-sub.Events():
		if ok {
			t.Fatalf("unexpected event %s at position %d in %s", e.ID, e.Position, e.Stream)
		}
		t.Fatalf("subscription ended unexpectedly: %v", sub.Err())
	case <-time.After(d):
	}
}

func ids(evs []eventstore.EventData) []uuid.UUID {
	out := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func recordedIDs(evs []eventstore.RecordedEvent) []uuid.UUID {
	out := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// checkStrictlyIncreasing fails unless positions grow strictly.
func checkStrictlyIncreasing(t testing.TB, evs []eventstore.RecordedEvent) {
	t.Helper()
	for i := 1; i < len(evs); i++ {
		if evs[i].Position <= evs[i-1].Position {
			t.Fatalf("position %d (event %d) follows %d: not strictly increasing", evs[i].Position, i, evs[i-1].Position)
		}
	}
}
