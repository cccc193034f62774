package pgstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// An atomic call whose appends are all plain is one statement (atomic_one.go). When one of
// its guards fails there, it must leave nothing behind: no new stream without its events, no
// existing stream advanced, and the call is then answered by append_events as a call of
// the transaction path is.
func TestAtomicOneStatementLeavesNothingWhenAGuardFails(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	other := openOn(t, url, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	shift, register := "shift-1", "register-1"
	mustAppend(t, s, shift, eventstore.NoStream, events(1))
	mustAppend(t, s, register, eventstore.NoStream, events(1))
	call := func(sale string, shiftAt, registerAt uint64) ([]eventstore.AppendResult, error) {
		return s.AppendAtomic(ctx, []eventstore.StreamAppend{
			{Stream: sale, Expected: eventstore.NoStream, Events: events(6)},
			{Stream: shift, Expected: eventstore.Exact(shiftAt), Events: events(1)},
			{Stream: register, Expected: eventstore.Exact(registerAt), Events: events(1)},
			{Stream: sale, Expected: eventstore.Exact(5), Events: events(1)},
		})
	}
	count := func(stream string) int {
		t.Helper()
		return len(verifyChain(t, s, stream))
	}

	// The sale's stream was created meanwhile by another store: the statement's insert of its
	// row fails, undoing the shift's and the register's, and append_events refuses the call.
	mustAppend(t, other, "sale-1", eventstore.NoStream, events(1))
	if _, err := call("sale-1", 0, 0); !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("call onto an existing sale stream: %v, want a wrong expected revision", err)
	}
	if count("sale-1") != 1 || count(shift) != 1 || count(register) != 1 {
		t.Fatalf("a refused call left events: sale %d, shift %d, register %d", count("sale-1"), count(shift), count(register))
	}

	// The register moved meanwhile (s's tip is stale): the statement's guard fails after it
	// locked the shift, so it creates no sale stream; append_events then refuses the call
	// (the register is not at revision 0 any more) and the sale stream still does not exist.
	mustAppend(t, other, register, eventstore.Any, events(1))
	if _, err := call("sale-2", 0, 0); !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("call on a moved register: %v, want a wrong expected revision", err)
	}
	if evs, err := s.ReadStream(ctx, "sale-2", eventstore.Forwards, 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("sale-2 after a refused call: %d events, %v; want no stream", len(evs), err)
	}
	if count(shift) != 1 || count(register) != 2 {
		t.Fatalf("a refused call moved streams: shift %d, register %d", count(shift), count(register))
	}

	// An event ID already stored fails the statement as a whole too.
	stored := events(1)
	mustAppend(t, other, "elsewhere", eventstore.NoStream, stored)
	evs := events(6)
	evs[3] = stored[0]
	_, err := s.AppendAtomic(ctx, []eventstore.StreamAppend{
		{Stream: "sale-3", Expected: eventstore.NoStream, Events: evs},
		{Stream: shift, Expected: eventstore.Exact(0), Events: events(1)},
	})
	if !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("call with a stored event ID: %v, want a duplicate event ID", err)
	}
	if count(shift) != 1 {
		t.Fatalf("a call refused for a stored event ID moved the shift: %d events", count(shift))
	}

	// And the call as it should be, on the tips as they are, goes through whole, as one
	// statement; so does a call of new streams only.
	before := s.AtomicOneCalls()
	out, err := call("sale-4", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendAtomic(ctx, []eventstore.StreamAppend{
		{Stream: "sale-5", Expected: eventstore.NoStream, Events: events(2)},
		{Stream: "sale-6", Expected: eventstore.NoStream, Events: events(1)},
	}); err != nil {
		t.Fatal(err)
	}
	if got := s.AtomicOneCalls() - before; got != 2 {
		t.Fatalf("%d of 2 calls whose appends were all plain written as one statement", got)
	}
	if count("sale-5") != 2 || count("sale-6") != 1 {
		t.Fatalf("new streams only: sale-5 %d, sale-6 %d events", count("sale-5"), count("sale-6"))
	}
	if out[0].Revision != 5 || out[1].Revision != 1 || out[2].Revision != 2 || out[3].Revision != 6 ||
		out[0].Position >= out[1].Position || out[1].Position >= out[2].Position || out[2].Position >= out[3].Position {
		t.Fatalf("call answered %+v", out)
	}
	if count("sale-4") != 7 || count(shift) != 2 || count(register) != 3 {
		t.Fatalf("after the call: sale %d, shift %d, register %d events", count("sale-4"), count(shift), count(register))
	}
}
