package esdbtest

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// deletedRevision is the revision EventStoreDB gives a tombstone ($streamDeleted) event.
const deletedRevision = math.MaxInt64

// firstPosition is the position of the first record of $all; EventStoreDB's log also starts
// with records of its own before the first event.
const firstPosition = 1024

// record is one event of the log.
type record struct {
	id          uuid.UUID
	stream      string
	revision    uint64
	position    uint64 // commit == prepare
	eventType   string
	contentType string
	created     time.Time
	data        []byte
	metadata    []byte
	index       int // place in log.all
}

// streamState is what the log knows about one stream.
type streamState struct {
	records        []*record // records[i].revision == i
	ids            map[uuid.UUID]int
	truncateBefore uint64 // soft delete: revisions below are hidden
	tombstoned     bool
	metadata       streamMetadata // the last "$metadata" event of "$$<stream>"
}

func (st *streamState) lastRevision() (uint64, bool) {
	if st == nil || len(st.records) == 0 {
		return 0, false
	}
	return uint64(len(st.records) - 1), true
}

// expectation is an append's or delete's expected revision as sent by the client.
type expectation struct {
	kind     expectKind
	revision uint64
}

type expectKind uint8

const (
	expectAny expectKind = iota
	expectNoStream
	expectStreamExists
	expectRevision
)

// proposed is an event received in an append.
type proposed struct {
	id          uuid.UUID
	eventType   string
	contentType string
	data        []byte
	metadata    []byte
}

// outcome is the result of a conditional write.
type outcome struct {
	revision uint64 // of the last event written (or found, for an idempotent retry)
	position uint64
	wrong    bool // the expectation did not hold
	exists   bool // with wrong: whether the stream has events
	current  uint64
	deleted  bool // the stream is tombstoned
	retry    bool // an idempotent retry: nothing was written
}

// log is the emulator's whole state: $all and the streams that index it.
type log struct {
	mu      sync.Mutex
	all     []*record
	streams map[string]*streamState
	next    uint64
	changed chan struct{} // closed and replaced on every write
	now     func() time.Time
}

func newLog() *log {
	return &log{
		streams: map[string]*streamState{},
		next:    firstPosition,
		changed: make(chan struct{}),
		now:     time.Now,
	}
}

// writeLocked appends one record to $all and to its stream. The caller holds l.mu and calls
// notifyLocked once its whole write is done.
func (l *log) writeLocked(stream string, revision uint64, p proposed) *record {
	r := &record{
		id: p.id, stream: stream, revision: revision, position: l.next,
		eventType: p.eventType, contentType: p.contentType, created: l.now(),
		data: p.data, metadata: p.metadata, index: len(l.all),
	}
	// Positions advance like byte offsets in EventStoreDB's transaction file.
	l.next += uint64(128 + len(stream) + len(p.eventType) + len(p.data) + len(p.metadata))
	l.all = append(l.all, r)
	st := l.state(stream)
	if of, m, ok := metadataOf(r); ok {
		l.state(of).metadata = m
	}
	if revision != deletedRevision {
		if st.ids == nil {
			st.ids = map[uuid.UUID]int{}
		}
		if _, dup := st.ids[p.id]; !dup {
			st.ids[p.id] = len(st.records)
		}
		st.records = append(st.records, r)
	}
	return r
}

// state returns the state of stream, creating an empty one (no events: the stream does not
// exist yet) when needed. The caller holds l.mu.
func (l *log) state(stream string) *streamState {
	st := l.streams[stream]
	if st == nil {
		st = &streamState{}
		l.streams[stream] = st
	}
	return st
}

// hidden reports whether the metadata of r's stream hides r from stream reads and stream
// subscriptions.
func (l *log) hidden(r *record) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.streams[r.stream]
	if st == nil {
		return false
	}
	return r.revision < uint64(st.metadata.firstVisible(st.records, 0, l.now()))
}

func (l *log) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// check reports whether e holds for st; wrong outcomes carry the current state.
func check(st *streamState, e expectation) (outcome, bool) {
	last, exists := st.lastRevision()
	ok := false
	switch e.kind {
	case expectAny:
		ok = true
	case expectNoStream:
		ok = !exists
	case expectStreamExists:
		ok = exists
	case expectRevision:
		ok = exists && last == e.revision
	}
	return outcome{wrong: !ok, exists: exists, current: last}, ok
}

// append writes events to stream if e holds, or recognises an idempotent retry.
func (l *log) append(stream string, e expectation, events []proposed) outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.streams[stream]
	if st != nil && st.tombstoned {
		return outcome{deleted: true}
	}
	if o, done := idempotent(st, e, events); done {
		return o
	}
	o, ok := check(st, e)
	if !ok {
		return o
	}
	next := uint64(0)
	if last, exists := st.lastRevision(); exists {
		next = last + 1
	}
	var r *record
	for i, p := range events {
		r = l.writeLocked(stream, next+uint64(i), p)
	}
	l.notifyLocked()
	return outcome{revision: r.revision, position: r.position}
}

// idempotent recognises a retried append: events whose IDs are already the stream's events
// right after the expected revision (or, for any / stream exists, wherever the first ID is).
// A retry that matches only in part is a wrong expected version, as on the server.
func idempotent(st *streamState, e expectation, events []proposed) (outcome, bool) {
	if st == nil || len(events) == 0 {
		return outcome{}, false
	}
	last, _ := st.lastRevision()
	from := -1
	switch e.kind {
	case expectNoStream:
		from = 0
	case expectRevision:
		if e.revision < last {
			from = int(e.revision) + 1
		}
	default:
		if i, ok := st.ids[events[0].id]; ok {
			from = i
		}
	}
	if from < 0 || from >= len(st.records) || st.records[from].id != events[0].id {
		return outcome{}, false
	}
	if from+len(events) > len(st.records) {
		return outcome{wrong: true, exists: true, current: last}, true
	}
	for i, p := range events {
		if st.records[from+i].id != p.id {
			return outcome{wrong: true, exists: true, current: last}, true
		}
	}
	r := st.records[from+len(events)-1]
	return outcome{revision: r.revision, position: r.position, retry: true}, true
}

// tombstone deletes stream for good if e holds, writing a $streamDeleted event into it.
func (l *log) tombstone(stream string, e expectation) outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.streams[stream]
	if st != nil && st.tombstoned {
		return outcome{deleted: true}
	}
	o, ok := check(st, e)
	if !ok {
		return o
	}
	r := l.writeLocked(stream, deletedRevision, proposed{
		id: uuid.New(), eventType: "$streamDeleted", contentType: "application/json", data: []byte("{}"),
	})
	l.streams[stream].tombstoned = true
	l.notifyLocked()
	return outcome{revision: deletedRevision, position: r.position}
}

// softDelete hides the stream's events (truncate before) and records it in the stream's
// metadata stream "$$<stream>", as the server does.
func (l *log) softDelete(stream string, e expectation) outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.streams[stream]
	if st != nil && st.tombstoned {
		return outcome{deleted: true}
	}
	o, ok := check(st, e)
	if !ok {
		return o
	}
	last, exists := st.lastRevision()
	if !exists {
		return outcome{}
	}
	st.truncateBefore = last + 1
	meta := "$$" + stream
	var metaRev uint64
	if ml, ok := l.streams[meta].lastRevision(); ok {
		metaRev = ml + 1
	}
	r := l.writeLocked(meta, metaRev, proposed{
		id: uuid.New(), eventType: "$metadata", contentType: "application/json",
		data: []byte(`{"$tb":` + strconv.FormatUint(last+1, 10) + `}`),
	})
	l.notifyLocked()
	return outcome{position: r.position}
}

// systemEvent writes a system event, as the server does on its own (stats, settings, users).
func (l *log) systemEvent(stream, eventType string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var rev uint64
	if last, ok := l.streams[stream].lastRevision(); ok {
		rev = last + 1
	}
	l.writeLocked(stream, rev, proposed{
		id: uuid.New(), eventType: eventType, contentType: "application/json", data: []byte("{}"),
	})
	l.notifyLocked()
}
