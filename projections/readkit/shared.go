package readkit

import (
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// Decoder turns a stored event into the value of its registered Go type. *eventstore.Codec is
// one; Shared is one that decodes each event once for every read model of a process.
type Decoder interface {
	DecodeEvent(e eventstore.RecordedEvent) (any, error)
}

// DefaultSharedSize is how many decoded events a Shared keeps at least (it keeps up to twice
// as many): read models following the log live are a few hundred events apart.
const DefaultSharedSize = 4096

// Shared is a Decoder that keeps the newest decoded events, so that the read models of one
// process, which take the same events from one shared reader (eventstore/fanout), decode each
// event once between them rather than once each. It is safe for concurrent use.
//
// A cached value is returned only for the very event it was decoded from: same position, ID
// and type, and the same Data bytes in memory (the slice the shared reader hands every
// subscriber). An event read on its own (a rebuild, a subscriber behind the window) has Data of
// its own and is simply decoded again.
//
// Every caller gets the same value: read it, never modify it. Decoded events are value
// structs, so a caller's copy of the struct is its own, but their slices and maps are shared;
// the domain's Evolve functions and the read models' folds copy before they change a slice
// (TestSharedDecodedValuesStayUnchanged checks that folding every read model leaves them
// equal to a fresh decode).
type Shared struct {
	codec *eventstore.Codec
	size  int

	mu        sync.Mutex
	cur, prev map[eventstore.Position]decoded

	hits, misses atomic.Int64
}

// decoded is one cached value and what identifies the event it came from.
type decoded struct {
	id   uuid.UUID
	typ  string
	data []byte // the event's Data; the entry holds it, so no other event's Data can start there
	v    any
}

// NewShared returns a Shared decoding with codec that keeps at least size decoded events
// (DefaultSharedSize when size <= 0).
func NewShared(codec *eventstore.Codec, size int) *Shared {
	if size <= 0 {
		size = DefaultSharedSize
	}
	return &Shared{codec: codec, size: size, cur: make(map[eventstore.Position]decoded, size)}
}

// DecodeEvent returns the decoded value of e, decoding it only when no read model has yet.
func (s *Shared) DecodeEvent(e eventstore.RecordedEvent) (any, error) {
	if len(e.Data) == 0 {
		return s.codec.DecodeEvent(e)
	}
	key := decoded{id: e.ID, typ: e.Type, data: e.Data}
	s.mu.Lock()
	d, ok := s.cur[e.Position]
	if !ok {
		d, ok = s.prev[e.Position]
	}
	s.mu.Unlock()
	if ok && d.same(key) {
		s.hits.Add(1)
		return d.v, nil
	}
	s.misses.Add(1)
	v, err := s.codec.DecodeEvent(e)
	if err != nil {
		return nil, err
	}
	key.v = v
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.cur[e.Position]; ok && d.same(key) {
		return d.v, nil // decoded meanwhile by another read model: share that one
	}
	if len(s.cur) >= s.size {
		s.prev, s.cur = s.cur, make(map[eventstore.Position]decoded, s.size)
	}
	s.cur[e.Position] = key
	return v, nil
}

func (d decoded) same(o decoded) bool {
	return &d.data[0] == &o.data[0] && len(d.data) == len(o.data) && d.id == o.id && d.typ == o.typ
}

// Stats returns how many DecodeEvent calls found the event decoded already (hits) and how
// many decoded it (misses).
func (s *Shared) Stats() (hits, misses int64) {
	return s.hits.Load(), s.misses.Load()
}
