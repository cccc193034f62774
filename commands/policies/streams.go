package policies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
)

// Bounds of a policy's stock writer.
const (
	// streamWorkers is how many stock streams a batch written stream by stream appends to at
	// once.
	streamWorkers = 8
	// cachedStreams bounds the stock streams whose state the writer keeps between batches.
	cachedStreams = 20_000
	// atomicStreams is how many stock streams one atomic append writes at most.
	atomicStreams = 256
)

// stockStep is one movement a policy records on a stock stream.
type stockStep = commands.Step[stock.State, stock.Event]

// stockWork is a batch's movements grouped by stock stream, each stream's in source order.
type stockWork struct {
	order []string
	steps map[string][]stockStep
}

func (w *stockWork) add(stream string, s stockStep) {
	if w.steps == nil {
		w.steps = map[string][]stockStep{}
	}
	if _, ok := w.steps[stream]; !ok {
		w.order = append(w.order, stream)
	}
	w.steps[stream] = append(w.steps[stream], s)
}

// stockWriter records a policy's movements of one kind (sales or returns): one atomic append
// per batch for all its streams where the store has one (else, or when another writer moved
// one of them, one append per stream, streams in parallel), from each stream's state as the
// writer last left it (an append at a stale revision reads the stream again). Its repeats
// are found by the streams' source marks (stock.State.Recorded), so it never reads a stream
// back to a source.
type stockWriter struct {
	h    *commands.Handler
	kind string
	mu   sync.Mutex
	// cache holds the streams' states; a stream is taken out while a batch writes it.
	cache map[string]commands.Loaded[stock.State]
}

func newStockWriter(h *commands.Handler, kind string) *stockWriter {
	return &stockWriter{h: h, kind: kind, cache: map[string]commands.Loaded[stock.State]{}}
}

// write appends w's movements, and returns the errors of the streams that failed (the others
// are written; a retry finds them recorded). Where the store appends atomically, the
// movements of up to atomicStreams streams go in one append; a call that fails (another
// writer appended to one of its streams first) is done again stream by stream.
func (sw *stockWriter) write(ctx context.Context, w stockWork) error {
	if len(w.order) == 1 {
		return sw.stream(ctx, w.order[0], w.steps[w.order[0]])
	}
	if _, atomic := eventstore.AtomicOf(sw.h.Store()); !atomic {
		return sw.oneByOne(ctx, w.order, w)
	}
	var alone []string
	for chunk := range slices.Chunk(w.order, atomicStreams) {
		if err := sw.atomic(ctx, chunk, w); err != nil {
			alone = append(alone, chunk...)
		}
	}
	return sw.oneByOne(ctx, alone, w)
}

// atomic appends the movements of streams in one atomic append. On an error the streams'
// states are dropped, to be read again.
func (sw *stockWriter) atomic(ctx context.Context, streams []string, w stockWork) error {
	calls := make([]commands.StreamSteps[stock.State, stock.Event], len(streams))
	for i, stream := range streams {
		calls[i] = commands.StreamSteps[stock.State, stock.Event]{Stream: stream, Known: sw.take(stream), Steps: w.steps[stream]}
	}
	after, err := commands.ExecuteStepsAtomic(ctx, sw.h, commands.StockAggregate, sw.covered, calls)
	if err != nil {
		return err
	}
	for i, stream := range streams {
		sw.put(stream, after[i])
	}
	return nil
}

// oneByOne appends the movements of streams, one append per stream, streams in parallel.
func (sw *stockWriter) oneByOne(ctx context.Context, streams []string, w stockWork) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, streamWorkers)
	)
	for _, stream := range streams {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := sw.stream(ctx, stream, w.steps[stream]); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// stream appends steps to stream.
func (sw *stockWriter) stream(ctx context.Context, stream string, steps []stockStep) error {
	known := sw.take(stream)
	l, err := commands.ExecuteSteps(ctx, sw.h, stream, commands.StockAggregate, known, sw.covered, steps)
	if err != nil {
		return fmt.Errorf("%s: %w", stream, err)
	}
	sw.put(stream, l)
	return nil
}

// covered reports whether s's source mark finds the movements of the writer's kind.
func (sw *stockWriter) covered(s stock.State) bool {
	_, known := s.Recorded(sw.kind, "", 0)
	return known
}

func (sw *stockWriter) take(stream string) *commands.Loaded[stock.State] {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	l, ok := sw.cache[stream]
	if !ok {
		return nil
	}
	delete(sw.cache, stream)
	return &l
}

func (sw *stockWriter) put(stream string, l commands.Loaded[stock.State]) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	for k := range sw.cache {
		if len(sw.cache) < cachedStreams {
			break
		}
		delete(sw.cache, k) // an arbitrary stream: it is read again when needed
	}
	sw.cache[stream] = l
}
