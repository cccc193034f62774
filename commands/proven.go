package commands

import (
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// A one-shot sale is decided on its store, register, shift, products and tax codes, and
// reading them all costs a round trip to the store before the one that writes the sale.
// Where the store can check streams it does not write in the same atomic call
// (eventstore.CheckedAtomicAppender: PostgreSQL), the sale is first decided on the states
// this process last saw of them, with no read at all (a trusted decision, Sales.createTrusted):
//
//   - the register and the shift from the handler's snapshots in memory (CachedSnapshots),
//     which every append of this process leaves at the state it wrote;
//   - the store, products and tax codes from provenStates, which keeps the state of each as
//     the last multi-stream read of a sale found it;
//   - the sale's own stream as new.
//
// The sale's atomic call then proves each of these: the register and the shift by the
// expected revisions of their appends, the sale's stream by its no-stream expectation, and the
// streams it only read by a check of the revision the decision took (eventstore.StreamCheck).
// If any moved since (another process wrote, a price changed, the sale is a retry), the call
// writes nothing, the states taken are forgotten, and the sale is read and decided as before.
// A decision that refuses the sale, or that cannot be written in one atomic call, is not an
// answer either: only the read path answers those. So the sale written is always one decided
// on the states its streams had when it was written, as the read path guarantees.

// provenCapacity bounds the streams provenStates keeps: a chain's stores, products and tax
// codes, with room to spare.
const provenCapacity = 100_000

// provenStates keeps the latest state read of each stream a sale only reads (store, product,
// tax code), as a Loaded[S] without the events it located. A kept state is never changed
// (Evolve is not run on it), so it is shared by concurrent requests without a copy. It is
// safe for concurrent use.
type provenStates struct {
	mu     sync.Mutex
	states map[string]any
	// doubted holds, for a while, the streams of a trusted decision its call refused: while
	// another process writes them too (two API processes serving one register in turn), every
	// trusted decision on them would fail, and cost its round trips before the read.
	doubted map[string]time.Time
}

// doubtFor is how long the streams of a refused trusted decision are read, not trusted.
const doubtFor = 10 * time.Second

func newProvenStates() *provenStates {
	return &provenStates{states: map[string]any{}, doubted: map[string]time.Time{}}
}

// provenPut keeps l as stream's state, first dropping an arbitrary kept state when full.
func provenPut[S any](p *provenStates, stream string, l Loaded[S]) {
	l.byID = nil
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.states[stream]; !ok && len(p.states) >= provenCapacity {
		for k := range p.states {
			delete(p.states, k)
			break
		}
	}
	p.states[stream] = l
}

// provenGet returns the kept state of stream, with an empty map of located events.
func provenGet[S any](p *provenStates, stream string) (Loaded[S], bool) {
	p.mu.Lock()
	v := p.states[stream]
	p.mu.Unlock()
	l, ok := v.(Loaded[S])
	if ok {
		l.byID = map[uuid.UUID]located{}
	}
	return l, ok
}

// refused drops the kept states of streams, the streams of a trusted decision that its call
// refused, and doubts them until now+doubtFor.
func (p *provenStates) refused(streams []string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, until := range p.doubted {
		if !now.Before(until) {
			delete(p.doubted, k)
		}
	}
	for _, s := range streams {
		delete(p.states, s)
		p.doubted[s] = now.Add(doubtFor)
	}
}

// doubts reports whether any of streams is doubted at now.
func (p *provenStates) doubts(streams []string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range streams {
		if until, ok := p.doubted[s]; ok && now.Before(until) {
			return true
		}
	}
	return false
}

// trustedRead is a readAhead answered from memory (see above): which stream it takes as new,
// the streams it took and at which revision, and whether one could not be taken.
type trustedRead struct {
	fresh  string
	taken  []eventstore.StreamCheck
	missed bool
}

// checks returns the streams taken that appends do not write, at the revisions taken.
func (t *trustedRead) checks(appends []eventstore.StreamAppend) []eventstore.StreamCheck {
	out := make([]eventstore.StreamCheck, 0, len(t.taken))
	for _, c := range t.taken {
		written := slices.ContainsFunc(appends, func(a eventstore.StreamAppend) bool { return a.Stream == c.Stream })
		if !written && !slices.ContainsFunc(out, func(o eventstore.StreamCheck) bool { return o.Stream == c.Stream }) {
			out = append(out, c)
		}
	}
	return out
}

// streams returns the streams taken.
func (t *trustedRead) streams() []string {
	out := make([]string, len(t.taken))
	for i, c := range t.taken {
		out[i] = c.Stream
	}
	return out
}
