package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
