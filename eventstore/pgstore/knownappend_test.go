package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// openOn opens another store on the database at url (another process, as far as tips go).
func openOn(t *testing.T, url string, opts pgstore.Options) *pgstore.Store {
	t.Helper()
	opts.Logger = quietLogger
	s, err := pgstore.Open(ctxT(t, time.Minute), url, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// verifyChain reads stream and fails unless its revisions are contiguous from 0 and every
// stored hash is chain.Sum over the stream; it returns the events.
func verifyChain(t *testing.T, s eventstore.Store, stream string) []eventstore.RecordedEvent {
	t.Helper()
	evs, err := s.ReadStream(ctxT(t, time.Minute), stream, eventstore.Forwards, 0, 100000)
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	var prev chain.Hash
	for i, e := range evs {
		if e.Revision != uint64(i) {
			t.Fatalf("%s: revision %d where %d was due", stream, e.Revision, i)
		}
		want := chain.Sum(prev, chain.Event{Stream: stream, Revision: e.Revision, ID: e.ID, Type: e.Type, Data: e.Data, Metadata: e.RawMetadata})
		got, err := chain.FromBytes(e.Hash)
		if err != nil || got != want {
			t.Fatalf("%s revision %d: stored hash %x, chain says %s", stream, e.Revision, e.Hash, want)
		}
		prev = got
	}
	return evs
}

// TestKnownAppendsSkipAppendEvents: appends to a stream whose tip the store knows (from its
// own appends, or from a read to the stream's end) are written by the plain statement, with
// every expectation that holds at the tip, and keep the chain that append_events would write.
func TestKnownAppendsSkipAppendEvents(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	const stream = "register-1"
	res := mustAppend(t, s, stream, eventstore.NoStream, events(1))
	for i, exp := range []func(rev uint64) eventstore.ExpectedRevision{
		eventstore.Exact, eventstore.Exact,
		func(uint64) eventstore.ExpectedRevision { return eventstore.Any },
		func(uint64) eventstore.ExpectedRevision { return eventstore.StreamExists },
		eventstore.Exact,
	} {
		next := mustAppend(t, s, stream, exp(res.Revision), events(1+i%3))
		if want := res.Revision + uint64(1+i%3); next.Revision != want || next.Position <= res.Position {
			t.Fatalf("append %d = %+v after %+v, want revision %d", i, next, res, want)
		}
		res = next
	}
	if got := s.KnownWritten(); got != 5 {
		t.Fatalf("%d appends written without append_events, want 5", got)
	}
	rev, hash, ok := s.Tip(stream) // before a read shows the store the tip
	evs := verifyChain(t, s, stream)
	last := evs[len(evs)-1]
	if !ok || rev != int64(last.Revision) || string(hash) != string(last.Hash) {
		t.Fatalf("tip = %d %x %v, want the last event's %d %x", rev, hash, ok, last.Revision, last.Hash)
	}
	if last.Position != res.Position {
		t.Fatalf("last position %d, append answered %d", last.Position, res.Position)
	}

	// Another store learns the tip from a read to the end, as a command handler reads first.
	other := openOn(t, url, pgstore.Options{})
	if _, err := other.ReadStream(ctxT(t, time.Minute), stream, eventstore.Backwards, ^uint64(0), 1); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, other, stream, eventstore.Exact(res.Revision), events(2))
	if got := other.KnownWritten(); got != 1 {
		t.Fatalf("%d appends written without append_events after a read, want 1", got)
	}
	verifyChain(t, s, stream)
}

// TestAMultiReadTeachesTheTip: a store that read a stream to its end with ReadStreams (what
// a sale's loads do) appends to it without append_events; a page short of the end teaches
// nothing.
func TestAMultiReadTeachesTheTip(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	mustAppend(t, s, "shift-1", eventstore.NoStream, events(3))
	res := mustAppend(t, s, "register-1", eventstore.NoStream, events(2))
	other := openOn(t, url, pgstore.Options{})
	pages, err := other.ReadStreams(ctxT(t, time.Minute), []eventstore.StreamRead{
		{Stream: "register-1", From: 0, Max: 10, NoMetadata: true},
		{Stream: "shift-1", From: 0, Max: 2}, // not to the end
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages[0].Events) != 2 || len(pages[1].Events) != 2 {
		t.Fatalf("pages of %d and %d events, want 2 and 2", len(pages[0].Events), len(pages[1].Events))
	}
	if _, _, ok := other.Tip("shift-1"); ok {
		t.Fatal("a page short of the stream's end taught a tip")
	}
	mustAppend(t, other, "register-1", eventstore.Exact(res.Revision), events(1))
	if got := other.KnownWritten(); got != 1 {
		t.Fatalf("%d appends written without append_events after a multi-read, want 1", got)
	}
	verifyChain(t, s, "register-1")
}

// TestStaleTipsFallBackToAppendEvents: a tip that no longer holds (another store moved the
// stream, a wrong hash, a revision ahead of the stream, a tombstone) never writes a wrong
// hash or a wrong revision: append_events answers as it would have without the tip.
func TestStaleTipsFallBackToAppendEvents(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	other := openOn(t, url, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	const stream = "shift-1"
	res := mustAppend(t, s, stream, eventstore.NoStream, events(2))
	moved := mustAppend(t, other, stream, eventstore.Any, events(2))

	// s still believes the stream ends at res.Revision.
	if _, err := s.Append(ctx, stream, eventstore.Exact(res.Revision), events(1)); !isWrongExpected(err, moved.Revision) {
		t.Fatalf("append at the stale revision: %v, want wrong expected revision (actual %d)", err, moved.Revision)
	}
	res = mustAppend(t, s, stream, eventstore.Any, events(3))
	if want := moved.Revision + 3; res.Revision != want {
		t.Fatalf("append with Any after the stream moved = %+v, want revision %d", res, want)
	}
	verifyChain(t, s, stream)

	// Right revision, wrong hash: the guard on the hash refuses it.
	s.SetTip(stream, int64(res.Revision), make([]byte, chain.Size))
	res = mustAppend(t, s, stream, eventstore.Exact(res.Revision), events(2))
	verifyChain(t, s, stream)

	// A tip ahead of the stream.
	s.SetTip(stream, int64(res.Revision)+5, make([]byte, chain.Size))
	if _, err := s.Append(ctx, stream, eventstore.Exact(res.Revision+5), events(1)); !isWrongExpected(err, res.Revision) {
		t.Fatalf("append at a revision ahead: %v, want wrong expected revision (actual %d)", err, res.Revision)
	}
	res = mustAppend(t, s, stream, eventstore.Exact(res.Revision), events(1))
	verifyChain(t, s, stream)
	if s.KnownWritten() != 0 {
		t.Fatalf("%d appends written without append_events on stale tips", s.KnownWritten())
	}
	// append_events' answer gave the tip back.
	res = mustAppend(t, s, stream, eventstore.Exact(res.Revision), events(1))
	if s.KnownWritten() != 1 {
		t.Fatal("the tip was not learnt from append_events")
	}

	// Tombstoned by another store.
	if err := other.Tombstone(ctx, stream, eventstore.Any); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, stream, eventstore.Exact(res.Revision), events(1)); !errors.Is(err, eventstore.ErrStreamDeleted) {
		t.Fatalf("append to a tombstoned stream with its tip known: %v, want ErrStreamDeleted", err)
	}
}

func isWrongExpected(err error, actual uint64) bool {
	var wer *eventstore.WrongExpectedRevisionError
	return errors.As(err, &wer) && wer.Actual.Exists && wer.Actual.Revision == actual
}

// TestKnownAppendIdempotentRetries: appending the same events again answers the original
// result whatever path the first append took, and an event ID stored elsewhere is a
// duplicate, while the tip is known and holds.
func TestKnownAppendIdempotentRetries(t *testing.T) {
	for _, opts := range []pgstore.Options{{}, {DirectAppends: -1}} {
		t.Run(fmt.Sprintf("direct=%d", opts.DirectAppends), func(t *testing.T) {
			s, _ := newStore(t, opts)
			ctx := ctxT(t, time.Minute)
			const stream = "sale-1"
			first := mustAppend(t, s, stream, eventstore.NoStream, events(3))
			evs := events(2)
			res := mustAppend(t, s, stream, eventstore.Exact(first.Revision), evs)
			for _, exp := range []eventstore.ExpectedRevision{eventstore.Exact(first.Revision), eventstore.Any, eventstore.StreamExists} {
				again, err := s.Append(ctx, stream, exp, evs)
				if err != nil || again != res {
					t.Fatalf("retry at %s = %+v, %v; want %+v", exp, again, err, res)
				}
			}
			mustAppend(t, s, "sale-2", eventstore.NoStream, events(1))
			elsewhere := events(1)
			mustAppend(t, s, "sale-2", eventstore.Any, elsewhere)
			if _, err := s.Append(ctx, stream, eventstore.Exact(res.Revision), elsewhere); !errors.Is(err, eventstore.ErrDuplicateEventID) {
				t.Fatalf("event stored in another stream: %v, want ErrDuplicateEventID", err)
			}
			if _, err := s.Append(ctx, stream, eventstore.Exact(res.Revision), append(events(1), evs[0])); !errors.Is(err, eventstore.ErrDuplicateEventID) {
				t.Fatalf("a new event with a stored one: %v, want ErrDuplicateEventID", err)
			}
			if n := len(verifyChain(t, s, stream)); n != 5 {
				t.Fatalf("%d events stored, want 5", n)
			}
			mustAppend(t, s, stream, eventstore.Exact(res.Revision), events(1))
			verifyChain(t, s, stream)
			if s.KnownWritten() < 2 {
				t.Fatalf("%d appends written without append_events, want at least 2", s.KnownWritten())
			}
		})
	}
}

// TestKnownAppendsOfRacingStores: two stores (two processes) read and append to the same few
// streams at once, at the revisions their reads saw and with Any, directly and through the
// batchers, so that their tips go stale between read and append all the time. Every
// acknowledged append is stored once, at the revision it was acknowledged with, and every
// stream's chain is intact.
func TestKnownAppendsOfRacingStores(t *testing.T) {
	s1, url := newStore(t, pgstore.Options{AppendBatchers: 2, MaxAppendBatch: 8, DirectAppends: 1, DirectOneEvent: 1})
	s2 := openOn(t, url, pgstore.Options{AppendBatchers: 2, MaxAppendBatch: 8, DirectAppends: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const writers, perWriter, streams = 8, 30, 3
	type acked struct {
		stream string
		res    eventstore.AppendResult
		evs    []eventstore.EventData
	}
	var (
		mu   sync.Mutex
		done []acked
		wg   sync.WaitGroup
	)
	errs := make(chan error, writers)
	for w := range writers {
		s := []*pgstore.Store{s1, s2}[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				stream := fmt.Sprintf("racing-%d", (w+i)%streams)
				exp := eventstore.Any
				if i%2 == 0 {
					last, err := s.ReadStream(ctx, stream, eventstore.Backwards, ^uint64(0), 1)
					switch {
					case errors.Is(err, eventstore.ErrStreamNotFound):
						exp = eventstore.NoStream
					case err != nil:
						errs <- err
						return
					default:
						exp = eventstore.Exact(last[0].Revision)
					}
				}
				evs := events(1 + i%3)
				res, err := s.Append(ctx, stream, exp, evs)
				var wer *eventstore.WrongExpectedRevisionError
				switch {
				case errors.As(err, &wer):
					continue
				case err != nil:
					errs <- fmt.Errorf("writer %d append %d at %s: %w", w, i, exp, err)
					return
				}
				mu.Lock()
				done = append(done, acked{stream, res, evs})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	stored := map[string][]eventstore.RecordedEvent{}
	total := 0
	for k := range streams {
		stream := fmt.Sprintf("racing-%d", k)
		stored[stream] = verifyChain(t, s1, stream)
		total += len(stored[stream])
	}
	want := 0
	for _, a := range done {
		evs := stored[a.stream]
		first := int(a.res.Revision) + 1 - len(a.evs)
		for j, e := range a.evs {
			if got := evs[first+j]; got.ID != e.ID {
				t.Fatalf("%s revision %d holds %s, acknowledged %s", a.stream, first+j, got.ID, e.ID)
			}
		}
		if evs[a.res.Revision].Position != a.res.Position {
			t.Fatalf("%s revision %d at position %d, acknowledged %d", a.stream, a.res.Revision, evs[a.res.Revision].Position, a.res.Position)
		}
		want += len(a.evs)
	}
	if total != want {
		t.Fatalf("%d events stored, %d acknowledged", total, want)
	}
	if s1.KnownWritten() == 0 || s2.KnownWritten() == 0 {
		t.Fatalf("written without append_events: %d and %d; the test does not test the tips", s1.KnownWritten(), s2.KnownWritten())
	}
}

// TestNewStreamsOfSeveralEvents: an append of several events to a new stream, alone or
// batched, is written with the chain append_events would write, a retry answers the original,
// and the store knows the stream's tip afterwards, so that the next append skips
// append_events.
func TestNewStreamsOfSeveralEvents(t *testing.T) {
	for _, opts := range []pgstore.Options{{}, {DirectAppends: -1}} {
		t.Run(fmt.Sprintf("direct=%d", opts.DirectAppends), func(t *testing.T) {
			s, _ := newStore(t, opts)
			ctx := ctxT(t, time.Minute)
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					stream := fmt.Sprintf("sale-%d", w)
					evs := events(4)
					res, err := s.Append(ctx, stream, eventstore.NoStream, evs)
					if err != nil || res.Revision != 3 {
						errs <- fmt.Errorf("%s: %+v, %v", stream, res, err)
						return
					}
					if again, err := s.Append(ctx, stream, eventstore.NoStream, evs); err != nil || again != res {
						errs <- fmt.Errorf("%s retry: %+v, %v; want %+v", stream, again, err, res)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			for w := range 4 {
				stream := fmt.Sprintf("sale-%d", w)
				rev, hash, ok := s.Tip(stream) // before a read shows the store the tip
				evs := verifyChain(t, s, stream)
				if len(evs) != 4 {
					t.Fatalf("%s holds %d events, want 4", stream, len(evs))
				}
				if !ok || rev != 3 || string(hash) != string(evs[3].Hash) {
					t.Fatalf("%s tip = %d %x %v, want 3 %x", stream, rev, hash, ok, evs[3].Hash)
				}
			}
			before := s.KnownWritten()
			mustAppend(t, s, "sale-0", eventstore.Exact(3), events(1))
			if s.KnownWritten() != before+1 {
				t.Fatal("the append after a new stream of several events did not skip append_events")
			}
			verifyChain(t, s, "sale-0")
		})
	}
}

// TestKnownBatchPlanIsCached: the statement that writes several known appends together is
// planned once per connection, not at every call: after PostgreSQL's five custom plans of a
// prepared statement, it keeps the generic one (knownappend.go explains why it did not).
func TestKnownBatchPlanIsCached(t *testing.T) {
	_, url := newStore(t, pgstore.Options{})
	conn := rawConn(t, url)
	ctx := ctxT(t, time.Minute)
	// The planner's choice depends on the size of streams: with a few thousand rows (any shop
	// after a day), a plan for the values given looked cheaper than the generic plan.
	if _, err := conn.Exec(ctx, `INSERT INTO streams (stream_id, revision) SELECT 'filler-' || i, -1 FROM generate_series(1, 5000) i`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE streams`); err != nil {
		t.Fatal(err)
	}
	const calls = 10
	for i := range calls {
		// Three appends to streams that do not exist: the statement writes nothing, but is
		// planned as for any batch of three.
		streams := []string{fmt.Sprintf("a-%d", i), fmt.Sprintf("b-%d", i), fmt.Sprintf("c-%d", i)}
		hash := make([]byte, 32)
		hashes := [][]byte{hash, hash, hash}
		rows, err := conn.Query(ctx, pgstore.AppendKnownBatchSQL, streams, []int64{0, 0, 0}, hashes, hashes, []int32{1, 1, 1},
			streams, []int64{1, 1, 1}, []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}, []string{"t", "t", "t"},
			[]string{`{}`, `{}`, `{}`}, []string{`{}`, `{}`, `{}`}, hashes)
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var generic, custom int64
	if err := conn.QueryRow(ctx, `SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)
		  FROM pg_prepared_statements WHERE statement = $1`, pgstore.AppendKnownBatchSQL).Scan(&generic, &custom); err != nil {
		t.Fatal(err)
	}
	if generic+custom != calls || generic < calls-5 {
		t.Fatalf("%d calls: %d generic and %d custom plans, want at most 5 custom", calls, generic, custom)
	}
}
