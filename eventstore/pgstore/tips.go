package pgstore

import (
	"sync"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

// maxTips bounds the streams whose tip a Store keeps (about 100 bytes each).
const maxTips = 1 << 14

// tip is what the store last saw of a stream's end: the revision of its last event and that
// event's chain hash.
type tip struct {
	revision int64
	hash     chain.Hash
}

// tips remembers the tips of the streams this store appended to or read to their end, so that
// an append to such a stream can hash its events here and skip append_events (knownappend.go).
// An entry may be stale (another process or a concurrent append moved the stream): the fast
// path checks it in the same statement that writes, and falls back to append_events when it
// does not hold, so a stale entry costs a round trip, never a wrong hash. It is bounded: when
// full, an arbitrary entry makes room.
type tips struct {
	mu sync.Mutex
	m  map[string]tip
}

// get returns the tip of stream, if known.
func (t *tips) get(stream string) (tip, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tp, ok := t.m[stream]
	return tp, ok
}

// put records tp as the tip of stream unless a later one is known (revisions only grow, so
// an older answer arriving late cannot replace a newer one).
func (t *tips) put(stream string, tp tip) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur, ok := t.m[stream]; ok {
		if cur.revision < tp.revision {
			t.m[stream] = tp
		}
		return
	}
	if t.m == nil {
		t.m = make(map[string]tip)
	}
	if len(t.m) >= maxTips {
		for k := range t.m {
			delete(t.m, k)
			break
		}
	}
	t.m[stream] = tp
}

// forget drops what is known of stream (an append whose outcome tells nothing of its tip).
func (t *tips) forget(stream string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, stream)
}

// putHash records revision with its stored hash (a read or an append's answer); a hash that is
// not one (NULL) records nothing.
func (t *tips) putHash(stream string, revision int64, hash []byte) {
	h, err := chain.FromBytes(hash)
	if err != nil || revision < 0 {
		return
	}
	t.put(stream, tip{revision: revision, hash: h})
}

// noteRead records the tip a read of stream saw: streamRevision is the stream's last revision
// in the read's snapshot, and events the events read, in either direction. Only a read that
// returned the last event tells its hash.
func (t *tips) noteRead(stream string, streamRevision int64, events []eventstore.RecordedEvent) {
	if len(events) == 0 {
		return
	}
	for _, i := range []int{0, len(events) - 1} {
		if int64(events[i].Revision) == streamRevision {
			t.putHash(stream, streamRevision, events[i].Hash)
			return
		}
	}
}
