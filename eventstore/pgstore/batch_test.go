package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// TestBatchedAppendsKeepEveryAppendsOutcomeAndChain: many writers on few streams make the
// batchers commit several appends per statement, including several of one stream in one
// batch. Every append gets its own outcome (exact expected revisions race: one winner per
// revision), revisions stay contiguous, idempotent retries inside a batch answer the
// original, and every stream's hash chain is intact.
func TestBatchedAppendsKeepEveryAppendsOutcomeAndChain(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{AppendBatchers: 2, MaxAppendBatch: 16})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const writers, perWriter, streams = 24, 40, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				stream := fmt.Sprintf("batch-%d", (w+i)%streams)
				evs := events(1 + i%3)
				res, err := s.Append(ctx, stream, eventstore.Any, evs)
				if err != nil {
					errs <- fmt.Errorf("writer %d append %d: %w", w, i, err)
					return
				}
				// A retry of the same events, possibly batched with others, answers the original.
				again, err := s.Append(ctx, stream, eventstore.Any, evs)
				if err != nil || again != res {
					errs <- fmt.Errorf("writer %d retry %d = %+v, %v; want %+v", w, i, again, err, res)
					return
				}
				// A stale exact revision loses with the actual revision, whatever batch it is in.
				stale := eventstore.NoStream // the state this writer's append started from
				if n := uint64(len(evs)); res.Revision >= n {
					stale = eventstore.Exact(res.Revision - n)
				}
				_, err = s.Append(ctx, stream, stale, events(1))
				var wer *eventstore.WrongExpectedRevisionError
				if !errors.As(err, &wer) || !wer.Actual.Exists || wer.Actual.Revision < res.Revision {
					errs <- fmt.Errorf("writer %d stale append %d: %v", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := 0
	for k := range streams {
		stream := fmt.Sprintf("batch-%d", k)
		var prev chain.Hash
		for from := uint64(0); ; {
			page, err := s.ReadStream(ctx, stream, eventstore.Forwards, from, 500)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page {
				if e.Revision != from {
					t.Fatalf("%s: revision %d where %d was due", stream, e.Revision, from)
				}
				want := chain.Sum(prev, chain.Event{Stream: stream, Revision: e.Revision, ID: e.ID, Type: e.Type, Data: e.Data, Metadata: e.RawMetadata})
				got, err := chain.FromBytes(e.Hash)
				if err != nil || got != want {
					t.Fatalf("%s revision %d: stored hash %x, chain says %s", stream, e.Revision, e.Hash, want)
				}
				prev = got
				from++
				total++
			}
			if len(page) < 500 {
				break
			}
		}
	}
	want := 0
	for i := range perWriter {
		want += writers * (1 + i%3)
	}
	if total != want {
		t.Fatalf("%d events stored, want %d: an append was lost or written twice", total, want)
	}
}

// TestBatchedNewStreams sends every append through the batchers, so that single events to new
// streams are committed together by one statement (newStreamsSQL): each creates its stream
// once with the right hash, a retry answers the original, racers for one new stream get one
// winner and the others the winner's revision, and one event ID sent to two new streams at
// once is stored once (the other append gets ErrDuplicateEventID and leaves no stream).
func TestBatchedNewStreams(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{DirectAppends: -1, AppendBatchers: 2, MaxAppendBatch: 32})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const writers, rounds = 24, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	var wins, dupWins [rounds]atomic.Int32
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(format string, args ...any) {
				errs <- fmt.Errorf("writer %d: "+format, append([]any{w}, args...)...)
			}
			for i := range rounds {
				evs := events(1)
				stream := fmt.Sprintf("new-%d-%d", w, i)
				res, err := s.Append(ctx, stream, eventstore.NoStream, evs)
				if err != nil || res.Revision != 0 {
					fail("append to %s = %+v, %v", stream, res, err)
					return
				}
				if again, err := s.Append(ctx, stream, eventstore.NoStream, evs); err != nil || again != res {
					fail("retry to %s = %+v, %v; want %+v", stream, again, err, res)
					return
				}
				contested := fmt.Sprintf("contested-%d", i)
				_, err = s.Append(ctx, contested, eventstore.NoStream, events(1))
				var wer *eventstore.WrongExpectedRevisionError
				switch {
				case err == nil:
					wins[i].Add(1)
				case !errors.As(err, &wer) || wer.Actual != (eventstore.ActualRevision{Exists: true, Revision: 0}):
					fail("loser for %s: %v", contested, err)
					return
				}
				if w%2 == 1 {
					continue
				}
				shared := events(1) // one ID to two new streams at once
				var dw sync.WaitGroup
				dupErrs := make([]error, 2)
				for k := range 2 {
					dw.Add(1)
					go func() {
						defer dw.Done()
						_, dupErrs[k] = s.Append(ctx, fmt.Sprintf("dup-%d-%d-%d", w, i, k), eventstore.NoStream, shared)
					}()
				}
				dw.Wait()
				for k, err := range dupErrs {
					switch {
					case err == nil:
						dupWins[i].Add(1)
					case !errors.Is(err, eventstore.ErrDuplicateEventID):
						fail("duplicate id to dup-%d-%d-%d: %v", w, i, k, err)
						return
					default:
						if _, err := s.ReadStream(ctx, fmt.Sprintf("dup-%d-%d-%d", w, i, k), eventstore.Forwards, 0, 1); !errors.Is(err, eventstore.ErrStreamNotFound) {
							fail("a losing append left dup-%d-%d-%d behind: %v", w, i, k, err)
							return
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := range rounds {
		if n := wins[i].Load(); n != 1 {
			t.Fatalf("contested-%d: %d winners, want 1", i, n)
		}
		if n, want := dupWins[i].Load(), int32(writers/2); n != want {
			t.Fatalf("round %d: %d appends of shared IDs succeeded, want %d (one per pair)", i, n, want)
		}
	}
	head, err := s.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for from := eventstore.Start; from < head; { // a page may end early, at a hole of a failed batch
		page, err := s.ReadAll(ctx, from, 500, eventstore.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			want := chain.Sum(chain.Zero, chain.Event{Stream: e.Stream, Revision: e.Revision, ID: e.ID, Type: e.Type, Data: e.Data, Metadata: e.RawMetadata})
			if got, err := chain.FromBytes(e.Hash); e.Revision != 0 || err != nil || got != want {
				t.Fatalf("%s revision %d: stored hash %x, chain says %s", e.Stream, e.Revision, e.Hash, want)
			}
			from = e.Position
			total++
		}
	}
	if want := writers*rounds + rounds + writers/2*rounds; total != want {
		t.Fatalf("%d events stored, want %d: an append was lost or written twice", total, want)
	}
}

// TestOneEventAppendsRunAloneUpToDirectOneEvent: as long as no more one-event appends are in
// flight than Options.DirectOneEvent, none waits for a batcher, however long they keep coming
// (with only the DirectAppends limit, the batchers took nearly all of them once a queue had
// formed, capping 8 writers at 2 statements in flight); beyond it, they are batched; appends
// of several events keep the DirectAppends limit.
func TestOneEventAppendsRunAloneUpToDirectOneEvent(t *testing.T) {
	run := func(s *pgstore.Store, writers, size int) {
		t.Helper()
		ctx := ctxT(t, time.Minute)
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 25 {
					if _, err := s.Append(ctx, fmt.Sprintf("alone-%d-%d-%d-%d", writers, size, w, i), eventstore.NoStream, events(size)); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	s, _ := newStore(t, pgstore.Options{})
	run(s, pgstore.DefaultDirectOneEvent, 1)
	if n := s.HandedOff(); n != 0 {
		t.Fatalf("%d writers of one event: %d appends handed to the batchers, want none", pgstore.DefaultDirectOneEvent, n)
	}
	run(s, 4*pgstore.DefaultDirectOneEvent, 1)
	if s.HandedOff() == 0 {
		t.Fatalf("%d writers of one event: no append handed to the batchers", 4*pgstore.DefaultDirectOneEvent)
	}
	s, _ = newStore(t, pgstore.Options{})
	run(s, pgstore.DefaultDirectOneEvent, 2)
	if s.HandedOff() == 0 {
		t.Fatalf("%d writers of two events: no append handed to the batchers", pgstore.DefaultDirectOneEvent)
	}
}
