package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// Run runs the whole contract suite against b. Test names start with b.Name so that a report
// shows which backend each case ran on.
func Run(t *testing.T, b Backend) {
	t.Run(b.Name, func(t *testing.T) {
		cases := []struct {
			name string
			run  func(*testing.T, Backend)
		}{
			{"AppendAndReadRoundTrip", testAppendAndReadRoundTrip},
			{"ExpectedRevision", testExpectedRevision},
			{"InvalidAppend", testInvalidAppend},
			{"IdempotentAppend", testIdempotentAppend},
			{"BatchAppend", testBatchAppend},
			{"AtomicAppend", testAtomicAppend},
			{"AtomicChecks", testAtomicChecks},
			{"MultiRead", testMultiRead},
			{"Tombstone", testTombstone},
			{"RacingWritersOneWinnerPerRevision", testRacingWriters},
			{"PageTenThousandEventStream", testPaging},
			{"AllPositionsStrictlyIncreasing", testAllPositions},
			{"HeadPosition", testHeadPosition},
			{"OutOfOrderCommit", testOutOfOrderCommit},
			{"SubscribeResumeFromCheckpoint", testSubscribeResume},
			{"SubscribeSurvivesKilledConnections", testSubscribeKilledConnections},
			{"SubscriptionFilter", testSubscriptionFilter},
			{"ConcurrentDrainWithRestarts", testConcurrentDrain},
			{"CloseStopsGoroutines", testCloseStopsGoroutines},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { c.run(t, b) })
		}
	})
}

func testAppendAndReadRoundTrip(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	stream := sc.stream("a")
	evs := newEvents(stream, 3)
	before := time.Now().Add(-time.Minute)
	res := mustAppend(t, s, stream, eventstore.NoStream, evs)
	if res.Revision != 2 {
		t.Fatalf("revision after 3 events = %d, want 2", res.Revision)
	}
	got := readWholeStream(t, s, stream, 10)
	if len(got) != 3 {
		t.Fatalf("read %d events, want 3", len(got))
	}
	for i, g := range got {
		w := evs[i]
		if g.ID != w.ID || g.Type != w.Type || g.Stream != stream || g.Revision != uint64(i) {
			t.Fatalf("event %d = {%s %s %s %d}, want {%s %s %s %d}", i, g.ID, g.Type, g.Stream, g.Revision, w.ID, w.Type, stream, i)
		}
		if !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("event %d data = %s, want the exact bytes %s", i, g.Data, w.Data)
		}
		if !metadataEqual(g.Metadata, w.Metadata) {
			t.Fatalf("event %d metadata = %+v, want %+v", i, g.Metadata, w.Metadata)
		}
		if g.RecordedAt.Before(before) || g.RecordedAt.After(time.Now().Add(time.Minute)) {
			t.Fatalf("event %d recorded at %s, want about now", i, g.RecordedAt)
		}
	}
	if got[2].Position != res.Position {
		t.Fatalf("last event at position %d, append reported %d", got[2].Position, res.Position)
	}
	checkStrictlyIncreasing(t, got)
}

func metadataEqual(a, b eventstore.Metadata) bool {
	if !a.OccurredAt.Equal(b.OccurredAt) || len(a.Extra) != len(b.Extra) {
		return false
	}
	for k, v := range b.Extra {
		if a.Extra[k] != v {
			return false
		}
	}
	return a.CorrelationID == b.CorrelationID && a.CausationID == b.CausationID &&
		a.CommandID == b.CommandID && a.UserID == b.UserID && a.ApproverID == b.ApproverID &&
		a.StoreID == b.StoreID && a.RegisterID == b.RegisterID
}

func testExpectedRevision(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, time.Minute)
	stream := sc.stream("e")

	wrong := func(exp eventstore.ExpectedRevision, want eventstore.ActualRevision) {
		t.Helper()
		_, err := s.Append(ctx, stream, exp, newEvents(stream, 1))
		var wer *eventstore.WrongExpectedRevisionError
		if !errors.As(err, &wer) || !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
			t.Fatalf("append at %s: err = %v, want *WrongExpectedRevisionError", exp, err)
		}
		if wer.Actual != want || wer.Stream != stream {
			t.Fatalf("append at %s: actual = %s on %q, want %s on %q", exp, wer.Actual, wer.Stream, want, stream)
		}
	}

	wrong(eventstore.StreamExists, eventstore.ActualRevision{})
	wrong(eventstore.Exact(0), eventstore.ActualRevision{})
	if _, err := s.ReadStream(ctx, stream, eventstore.Forwards, 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("failed appends created the stream: read err = %v, want ErrStreamNotFound", err)
	}
	mustAppend(t, s, stream, eventstore.NoStream, newEvents(stream, 2))
	wrong(eventstore.NoStream, eventstore.ActualRevision{Exists: true, Revision: 1})
	wrong(eventstore.Exact(0), eventstore.ActualRevision{Exists: true, Revision: 1})
	wrong(eventstore.Exact(5), eventstore.ActualRevision{Exists: true, Revision: 1})
	if r := mustAppend(t, s, stream, eventstore.Exact(1), newEvents(stream, 1)); r.Revision != 2 {
		t.Fatalf("exact append landed at %d, want 2", r.Revision)
	}
	if r := mustAppend(t, s, stream, eventstore.StreamExists, newEvents(stream, 1)); r.Revision != 3 {
		t.Fatalf("stream-exists append landed at %d, want 3", r.Revision)
	}
	if r := mustAppend(t, s, stream, eventstore.Any, newEvents(stream, 2)); r.Revision != 5 {
		t.Fatalf("any append landed at %d, want 5", r.Revision)
	}
	if got := readWholeStream(t, s, stream, 100); len(got) != 6 {
		t.Fatalf("stream has %d events, want 6: a failed append wrote something", len(got))
	}
}

func testInvalidAppend(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, time.Minute)
	stream := sc.stream("inv")
	noID := newEvents(stream, 1)
	noID[0].ID = [16]byte{}
	noType := newEvents(stream, 1)
	noType[0].Type = ""
	badJSON := newEvents(stream, 1)
	badJSON[0].Data = []byte("{not json")
	cases := map[string]struct {
		stream string
		evs    []eventstore.EventData
	}{
		"no events":   {stream, nil},
		"no stream":   {"", newEvents(stream, 1)},
		"no id":       {stream, noID},
		"no type":     {stream, noType},
		"broken json": {stream, badJSON},
	}
	for name, c := range cases {
		if _, err := s.Append(ctx, c.stream, eventstore.Any, c.evs); !errors.Is(err, eventstore.ErrInvalidAppend) {
			t.Errorf("%s: err = %v, want ErrInvalidAppend", name, err)
		}
	}
	if _, err := s.ReadStream(ctx, stream, eventstore.Forwards, 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("invalid appends wrote something: read err = %v", err)
	}
}

func testIdempotentAppend(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	stream := sc.stream("idem")
	first := newEvents(stream, 2)
	r1 := mustAppend(t, s, stream, eventstore.NoStream, first)
	again := mustAppend(t, s, stream, eventstore.NoStream, first)
	if again != r1 {
		t.Fatalf("re-append returned %+v, want the original %+v", again, r1)
	}
	second := newEvents(stream, 1)
	r2 := mustAppend(t, s, stream, eventstore.Exact(1), second)
	mustAppend(t, s, stream, eventstore.Exact(2), newEvents(stream, 1))
	if again := mustAppend(t, s, stream, eventstore.Exact(1), second); again != r2 {
		t.Fatalf("re-append at exact 1 returned %+v, want the original %+v", again, r2)
	}
	got := readWholeStream(t, s, stream, 100)
	if len(got) != 4 {
		t.Fatalf("stream has %d events after idempotent re-appends, want 4", len(got))
	}
	if all := readAllOf(t, s, sc, 100); len(all) != 4 {
		t.Fatalf("$all has %d of the test's events, want 4: a re-append was written twice", len(all))
	}
}

func testTombstone(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, time.Minute)
	stream := sc.stream("gone")
	mustAppend(t, s, stream, eventstore.NoStream, newEvents(stream, 2))
	err := s.Tombstone(ctx, stream, eventstore.Exact(0))
	if !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("tombstone at a stale revision: err = %v, want wrong expected revision", err)
	}
	if err := s.Tombstone(ctx, stream, eventstore.Exact(1)); err != nil {
		t.Fatalf("tombstone: %v", err)
	}
	if _, err := s.Append(ctx, stream, eventstore.Any, newEvents(stream, 1)); !errors.Is(err, eventstore.ErrStreamDeleted) {
		t.Fatalf("append to a tombstoned stream: err = %v, want ErrStreamDeleted", err)
	}
	if _, err := s.ReadStream(ctx, stream, eventstore.Forwards, 0, 10); !errors.Is(err, eventstore.ErrStreamDeleted) {
		t.Fatalf("read of a tombstoned stream: err = %v, want ErrStreamDeleted", err)
	}
}
