package eventstore

import (
	"context"
	"sync"
)

// StreamAppend is one stream's part of a batch append: Append's arguments.
type StreamAppend struct {
	Stream   string
	Expected ExpectedRevision
	Events   []EventData
}

// AppendOutcome is what one StreamAppend of a batch came to: Append's result or error.
type AppendOutcome struct {
	Result AppendResult
	Err    error
}

// BatchAppender is implemented by stores that append to many streams in fewer round trips
// than one Append each (PostgreSQL: the appends to new streams in one statement). Each
// StreamAppend has exactly the semantics of Append (expected revision, idempotent retries by
// event ID, errors) and its own outcome, in the order given; the batch as a whole is not
// atomic. Appends to one stream are applied in the order given. The error is for the batch
// as a whole (the context ended); the outcomes are then undefined.
type BatchAppender interface {
	AppendBatch(ctx context.Context, appends []StreamAppend) ([]AppendOutcome, error)
}

// AppendBatch appends every StreamAppend of appends to s: in one call when s is a
// BatchAppender, otherwise (EventStoreDB, which has no multi-stream writes) with at most
// parallel Appends in flight at once. Appends to the same stream must not be in one batch
// unless s is a BatchAppender (parallel Appends would race each other).
func AppendBatch(ctx context.Context, s Store, appends []StreamAppend, parallel int) ([]AppendOutcome, error) {
	if b, ok := s.(BatchAppender); ok {
		return b.AppendBatch(ctx, appends)
	}
	out := make([]AppendOutcome, len(appends))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(max(1, parallel), len(appends)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				a := appends[i]
				out[i].Result, out[i].Err = s.Append(ctx, a.Stream, a.Expected, a.Events)
			}
		}()
	}
	for i := range appends {
		work <- i
	}
	close(work)
	wg.Wait()
	return out, ctx.Err()
}
