package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// testAtomicChecks checks eventstore.CheckedAtomicAppender on stores that have it: a call
// whose checks hold writes its appends and leaves the checked streams as they were; it is
// never answered as an idempotent retry; a check on a stream that moved, is missing or is
// deleted fails the call with that stream's error and stores nothing, even a call that would
// otherwise be a retry; checks that name no stream, or a stream the call appends to, are
// invalid.
func testAtomicChecks(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	at, ok := s.(eventstore.CheckedAtomicAppender)
	if !ok {
		t.Skip("the store has no checked multi-stream transactions (eventstore.CheckedAtomicAppender)")
	}
	ctx := ctxT(t, time.Minute)
	read, written, gone := sc.stream("read"), sc.stream("written"), sc.stream("gone")
	mustAppend(t, s, read, eventstore.NoStream, newEvents(read, 2))
	mustAppend(t, s, written, eventstore.NoStream, newEvents(written, 1))
	mustAppend(t, s, gone, eventstore.NoStream, newEvents(gone, 1))
	if err := s.Tombstone(ctx, gone, eventstore.Exact(0)); err != nil {
		t.Fatal(err)
	}
	fresh := sc.stream("fresh")
	appends := []eventstore.StreamAppend{
		{Stream: fresh, Expected: eventstore.NoStream, Events: newEvents(fresh, 1)},
		{Stream: written, Expected: eventstore.Exact(0), Events: newEvents(written, 2)},
	}
	holds := []eventstore.StreamCheck{{Stream: read, Revision: 1}}
	out, err := at.AppendAtomicChecked(ctx, holds, appends)
	if err != nil {
		t.Fatalf("a call whose check holds: %v", err)
	}
	if out[0].Revision != 0 || out[1].Revision != 2 || out[1].Position <= out[0].Position {
		t.Fatalf("answered %+v, want revisions 0 and 2 in the order of the appends", out)
	}
	if n, m := len(readWholeStream(t, s, written, 10)), len(readWholeStream(t, s, read, 10)); n != 3 || m != 2 {
		t.Fatalf("%s holds %d events, %s %d: want 3 and the 2 it held", written, n, read, m)
	}
	head, err := s.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// The same call is not answered as an idempotent retry, even while its check holds; the
	// same appends without checks are.
	if again, err := at.AppendAtomicChecked(ctx, holds, appends); !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("the checked call repeated answered %+v (%v), want a duplicate event ID", again, err)
	}
	if h, err := s.HeadPosition(ctx); err != nil || h != head {
		t.Fatalf("the checked call repeated moved the head from %d to %d (%v)", head, h, err)
	}
	if again, err := at.AppendAtomic(ctx, appends); err != nil || again[0] != out[0] || again[1] != out[1] {
		t.Fatalf("the call repeated without checks answered %+v (%v), want the original %+v", again, err, out)
	}

	missing, later := sc.stream("missing"), sc.stream("later")
	failing := []struct {
		name   string
		check  eventstore.StreamCheck
		want   error
		actual *eventstore.ActualRevision
	}{
		{"stream moved since", eventstore.StreamCheck{Stream: read, Revision: 0}, eventstore.ErrWrongExpectedRevision, &eventstore.ActualRevision{Exists: true, Revision: 1}},
		{"stream not yet there", eventstore.StreamCheck{Stream: read, Revision: 5}, eventstore.ErrWrongExpectedRevision, &eventstore.ActualRevision{Exists: true, Revision: 1}},
		{"missing stream", eventstore.StreamCheck{Stream: missing, Revision: 0}, eventstore.ErrWrongExpectedRevision, &eventstore.ActualRevision{}},
		{"deleted stream", eventstore.StreamCheck{Stream: gone, Revision: 0}, eventstore.ErrStreamDeleted, nil},
	}
	for _, f := range failing {
		for _, call := range []struct {
			what    string
			appends []eventstore.StreamAppend
		}{
			{"new appends", []eventstore.StreamAppend{
				{Stream: later, Expected: eventstore.NoStream, Events: newEvents(later, 1)},
				{Stream: written, Expected: eventstore.Exact(2), Events: newEvents(written, 1)},
			}},
			{"an idempotent retry", appends},
		} {
			checks := []eventstore.StreamCheck{{Stream: read, Revision: 1}, f.check}
			if f.check.Stream == read {
				checks = checks[1:]
			}
			_, err := at.AppendAtomicChecked(ctx, checks, call.appends)
			if !errors.Is(err, f.want) {
				t.Fatalf("%s, %s: %v, want %v", f.name, call.what, err, f.want)
			}
			var wrong *eventstore.WrongExpectedRevisionError
			if f.actual != nil && (!errors.As(err, &wrong) || wrong.Stream != f.check.Stream || wrong.Actual != *f.actual) {
				t.Fatalf("%s, %s: %v, want %s found at %+v", f.name, call.what, err, f.check.Stream, *f.actual)
			}
			if h, err := s.HeadPosition(ctx); err != nil || h != head {
				t.Fatalf("%s, %s: head moved from %d to %d (%v): a failed call stored events", f.name, call.what, head, h, err)
			}
			if _, err := s.ReadStream(ctx, later, eventstore.Forwards, 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
				t.Fatalf("%s, %s: the new stream of a failed call: %v, want it not found", f.name, call.what, err)
			}
		}
	}

	invalid := [][]eventstore.StreamCheck{
		{{Stream: "", Revision: 0}},
		{{Stream: written, Revision: 2}},
		{{Stream: read, Revision: 1}, {Stream: read, Revision: 1}},
	}
	for _, checks := range invalid {
		if _, err := at.AppendAtomicChecked(ctx, checks, appends); !errors.Is(err, eventstore.ErrInvalidAppend) {
			t.Fatalf("checks %+v: %v, want an invalid append", checks, err)
		}
	}
}
