package pgstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// An atomic call's checks hold it back on both of its paths: the one statement of a call
// whose appends are all plain (atomic_one.go), and the transaction of a call that goes through
// append_events (checkAtomicSQL). A product changed by another process after a sale read it
// fails the sale's call on either path, and leaves no sale behind.
func TestAtomicChecksOnBothPaths(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	other := openOn(t, url, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	product, register := "product-1", "register-1"
	mustAppend(t, s, product, eventstore.NoStream, events(2))
	mustAppend(t, s, register, eventstore.NoStream, events(1))
	revision, hash, _ := s.Tip(register)
	call := func(sale string, registerAt, productAt uint64) error {
		_, err := s.AppendAtomicChecked(ctx, []eventstore.StreamCheck{{Stream: product, Revision: productAt}}, []eventstore.StreamAppend{
			{Stream: sale, Expected: eventstore.NoStream, Events: events(2)},
			{Stream: register, Expected: eventstore.Exact(registerAt), Events: events(1)},
		})
		return err
	}
	exists := func(stream string) bool {
		t.Helper()
		_, err := s.ReadStream(ctx, stream, eventstore.Forwards, 0, 1)
		if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}

	// One statement: the check holds, then the product moves and it does not.
	before := s.AtomicOneCalls()
	if err := call("sale-1", 0, 1); err != nil || s.AtomicOneCalls() != before+1 {
		t.Fatalf("plain call whose check holds: %v, %d one-statement calls (want %d)", err, s.AtomicOneCalls(), before+1)
	}
	mustAppend(t, other, product, eventstore.Exact(1), events(1))
	if err := call("sale-2", 1, 1); !errors.Is(err, eventstore.ErrWrongExpectedRevision) || exists("sale-2") {
		t.Fatalf("plain call on a moved product: %v (sale stream left: %v), want a wrong expected revision and nothing written", err, exists("sale-2"))
	}

	// The transaction path: s's tip of the register is stale (its hash wrong), so the statement
	// writes nothing and append_events answers, after checkAtomicSQL.
	s.SetTip(register, revision+1, hash)
	before = s.AtomicOneCalls()
	if err := call("sale-3", 1, 1); !errors.Is(err, eventstore.ErrWrongExpectedRevision) || exists("sale-3") {
		t.Fatalf("transaction on a moved product: %v (sale stream left: %v), want a wrong expected revision and nothing written", err, exists("sale-3"))
	}
	s.SetTip(register, revision+1, hash)
	if err := call("sale-4", 1, 2); err != nil || !exists("sale-4") || s.AtomicOneCalls() != before {
		t.Fatalf("transaction whose check holds: %v (sale written: %v, one-statement calls %d, want %d)", err, exists("sale-4"), s.AtomicOneCalls(), before)
	}
	if n := len(verifyChain(t, s, register)); n != 3 {
		t.Fatalf("%s holds %d events, want 3: its first and one for each sale written", register, n)
	}

	// Refused calls take no position: a retry (the same events again), on either path, and a
	// call whose check fails leave no hole in $all.
	sale, receipt := events(2), events(1)
	retry := func(registerAt uint64) error {
		_, err := s.AppendAtomicChecked(ctx, []eventstore.StreamCheck{{Stream: product, Revision: 2}}, []eventstore.StreamAppend{
			{Stream: "sale-6", Expected: eventstore.NoStream, Events: sale},
			{Stream: register, Expected: eventstore.Exact(registerAt), Events: receipt},
		})
		return err
	}
	if err := retry(2); err != nil {
		t.Fatal(err)
	}
	head, err := s.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := retry(2); !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("retry: %v, want a duplicate event ID", err)
	}
	s.SetTip(register, revision+3, hash)
	if err := retry(3); !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("retry in a transaction: %v, want a duplicate event ID", err)
	}
	alone := []eventstore.StreamAppend{{Stream: "sale-8", Expected: eventstore.NoStream, Events: events(2)}}
	checked := []eventstore.StreamCheck{{Stream: product, Revision: 2}}
	if _, err := s.AppendAtomicChecked(ctx, checked, alone); err != nil {
		t.Fatal(err)
	}
	head += 2 // sale-8's events
	if _, err := s.AppendAtomicChecked(ctx, checked, alone); !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("retry of a call to a new stream alone: %v, want a duplicate event ID", err)
	}
	if err := call("sale-7", 3, 1); !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("call on a moved product: %v, want a wrong expected revision", err)
	}
	if res := mustAppend(t, s, "after", eventstore.NoStream, events(1)); res.Position != head+1 {
		t.Fatalf("the next append took position %d, want %d: refused calls left a hole", res.Position, head+1)
	}
}
