package pgstore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

var _ eventstore.CheckedAtomicAppender = (*Store)(nil)

// AppendAtomic appends to several streams in one transaction; see eventstore.AtomicAppender.
//
// Each append is planned as a lone append is: the events of a new stream (no-stream, the
// call's first append to it) and an append to a stream whose tip is known (tips.go, or left by
// an earlier append of the call) and whose expectation holds there are plain, with their chain
// hashes computed here; any other goes to append_events. When every append is plain, the call
// is one statement in autocommit, atomicOneSQL (atomic_one.go): one round trip and one WAL
// flush. Otherwise the appends are sent as one pipelined batch inside a transaction (begin, the
// batch, commit: three round trips, one WAL flush): the plain ones by newStreamEventsSQL and
// appendKnownSQL, the others by append_events. If a plain statement writes nothing (the stream
// exists, or moved since its tip was seen) or meets an event ID already stored, nothing of the
// call is kept and it runs again with append_events for every append, whose statuses answer
// (idempotent retries, stale expectations, tombstones, duplicates) exactly as Append's do.
// Positions are taken by INSERTs into events under the RowExclusiveLock held from the first
// INSERT to the commit, so the readers' hole proof (doc.go) covers them as it covers any
// append. The appends bypass the batchers: their transaction is their own.
func (s *Store) AppendAtomic(ctx context.Context, appends []eventstore.StreamAppend) ([]eventstore.AppendResult, error) {
	return s.AppendAtomicChecked(ctx, nil, appends)
}

// AppendAtomicChecked is AppendAtomic with checks on streams it does not write; see
// eventstore.CheckedAtomicAppender. The one statement of a call whose appends are all plain
// checks them too (atomicOneSQL); when one fails it writes nothing, and the call runs again in
// a transaction, whose first round trip, with the locks, says which (lockAndCheck), or that
// an event of the call is stored already.
func (s *Store) AppendAtomicChecked(ctx context.Context, checks []eventstore.StreamCheck, appends []eventstore.StreamAppend) ([]eventstore.AppendResult, error) {
	if len(appends) == 0 {
		return nil, nil
	}
	if err := eventstore.ValidateChecks(checks, appends); err != nil {
		return nil, err
	}
	args := make([][]any, len(appends))
	for i, a := range appends {
		var err error
		if args[i], err = appendArgs(a.Stream, a.Expected, a.Events); err != nil {
			return nil, fmt.Errorf("append %s: %w", a.Stream, err)
		}
	}
	ck := newCheckArgs(checks, args)
	out, tips, err := s.appendAtomicOnce(ctx, appends, args, ck, true)
	for attempt := 0; attempt < 2 && (errors.Is(err, errNotPlain) || errors.Is(err, errAborted)); attempt++ {
		// A plain statement could not answer, or a concurrent append committed an event ID
		// between append_events' check and its insert (as Append, ask once more), or the
		// server aborted the transaction to break a deadlock: nothing of it was committed.
		out, tips, err = s.appendAtomicOnce(ctx, appends, args, ck, false)
	}
	switch {
	case errors.Is(err, errNotPlain):
		err = eventstore.ErrDuplicateEventID
	case errors.Is(err, errAborted):
		err = fmt.Errorf("%w: the server aborted the transaction three times (deadlock or serialization)", eventstore.ErrUnavailable)
	}
	if err != nil {
		for _, a := range appends {
			s.tips.forget(a.Stream)
		}
		return nil, err
	}
	var last eventstore.Position
	for stream, tp := range tips {
		s.tips.put(stream, tp)
	}
	for _, r := range out {
		last = max(last, r.Position)
	}
	s.noteAppended(last)
	return out, nil
}

// aborted reports whether the server aborted a transaction to break a deadlock (40P01) or a
// serialization conflict (40001): it committed nothing and may be run again. The stream locks
// taken in name order (lockAtomicSQL) should leave no deadlock with the batchers; this is the
// net under that reasoning, so that a missed case costs a retry, not a failed sale.
func aborted(err error) bool {
	code := pgCode(err)
	return code == "40P01" || code == "40001"
}

// errAborted reports an atomic call's transaction that the server aborted (see aborted).
var errAborted = errors.New("atomic append: transaction aborted by the server")

// atomicError is err of an atomic call's transaction, as the store reports it: errAborted
// for a transaction the server aborted, otherwise unavailable's translation.
func atomicError(err error) error {
	if aborted(err) {
		return errAborted
	}
	return unavailable(err)
}

// errNotPlain reports that a plain statement of an atomic append wrote nothing or met an
// event ID already stored: append_events must answer the appends.
var errNotPlain = errors.New("atomic append: a plain statement did not write")

// atomicKind is how one append of an atomic call is written.
type atomicKind int

const (
	atomicByFunction  atomicKind = iota // append_events
	atomicNewStream                     // newStreamEventsSQL
	atomicKnownStream                   // appendKnownSQL
)

// atomicStep is one append of an atomic call as planned: how it is written and, for the plain
// statements, the tip it starts from, its events' chain hashes and the tip it leaves.
type atomicStep struct {
	kind   atomicKind
	base   tip
	hashes [][]byte
	after  tip
}

// appendAtomicOnce runs the appends (args as appendArgs returns them) in one transaction:
// with the plain statements where they apply when plain is set, otherwise all by
// append_events. It returns each append's result and the tips they leave.
func (s *Store) appendAtomicOnce(ctx context.Context, appends []eventstore.StreamAppend, args [][]any, checks checkArgs, plain bool) ([]eventstore.AppendResult, map[string]tip, error) {
	steps := s.planAtomic(args, plain)
	if plain && allPlain(steps) {
		return s.appendAtomicOne(ctx, args, steps, checks)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, nil, unavailable(err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // after Commit: nothing to do
	batch := &pgx.Batch{}
	batch.Queue(lockAtomicSQL, atomicStreams(appends))
	if len(checks.checks) > 0 {
		// The checks take a round trip of their own: appends sent after them in one batch would
		// run even where a check fails, and the positions they took would be left as holes in
		// $all by the rollback (readers wait for a hole to be proven empty).
		if err := lockAndCheck(ctx, tx, batch, checks); err != nil {
			return nil, nil, err
		}
		batch = &pgx.Batch{}
	}
	for i, a := range args {
		st := steps[i]
		switch st.kind {
		case atomicNewStream:
			batch.Queue(newStreamEventsSQL, a[0], a[2], a[3], a[4], a[5], st.hashes, st.hashes[len(st.hashes)-1])
		case atomicKnownStream:
			batch.Queue(appendKnownSQL, a[0], st.base.revision, a[2], a[3], a[4], a[5], st.base.hash[:],
				st.hashes[len(st.hashes)-1], st.hashes)
		default:
			batch.Queue(appendSQL, a...)
		}
	}
	br := tx.SendBatch(ctx, batch)
	if len(checks.checks) == 0 {
		if _, err := br.Exec(); err != nil { // lockAtomicSQL
			_ = br.Close()
			return nil, nil, atomicError(err)
		}
	}
	out, tips, err := readAtomic(br, appends, args, steps)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, nil, atomicError(err)
	}
	for _, st := range steps {
		if st.kind == atomicKnownStream {
			s.knownWritten.Add(1)
		}
	}
	return out, tips, nil
}

// lockAtomicSQL locks the rows of an atomic call's streams that exist, in stream name order
// (bytewise), before any of its appends: the order in which the batchers lock the streams of
// theirs (batch.go, knownappend.go). Without it the call locked them in the order of its
// appends (a one-shot sale: its shift, then its register) while a batcher holding the same
// register waited for the shift: a deadlock, one side aborted with SQLSTATE 40P01 (seen with
// ten tills of one register, some of whose sales went step by step through the batchers).
const lockAtomicSQL = `SELECT 1 FROM streams WHERE stream_id = ANY($1::text[]) ORDER BY stream_id COLLATE "C" FOR UPDATE`

// atomicStreams returns the distinct streams of appends.
func atomicStreams(appends []eventstore.StreamAppend) []string {
	out := make([]string, 0, len(appends))
	for _, a := range appends {
		if !slices.Contains(out, a.Stream) {
			out = append(out, a.Stream)
		}
	}
	return out
}

// planAtomic decides how each append of an atomic call is written (see AppendAtomic). An
// append to a stream that an earlier append of the call wrote by append_events goes to
// append_events too: its tip is known only once the function has answered.
func (s *Store) planAtomic(args [][]any, plain bool) []atomicStep {
	steps := make([]atomicStep, len(args))
	local := map[string]tip{} // tips the plain appends of the call leave
	touched := map[string]bool{}
	for i, a := range args {
		stream, expected := a[0].(string), a[1].(int64)
		base, ok := local[stream]
		if !ok && !touched[stream] {
			if expected == expectNoStream {
				base, ok = newStreamTip, true
			} else {
				base, ok = s.tips.get(stream)
			}
		}
		touched[stream] = true
		kind := atomicKnownStream
		switch {
		case !plain || !ok:
			kind = atomicByFunction
		case base.revision < 0 && expected == expectNoStream:
			kind = atomicNewStream
		case base.revision < 0 || expected == expectNoStream || (expected >= 0 && expected != base.revision):
			kind = atomicByFunction // the expectation does not hold at the tip: let the function say so
		}
		if kind == atomicByFunction {
			delete(local, stream)
			continue
		}
		hashes := chainHashes(stream, base, a)
		h, _ := chain.FromBytes(hashes[len(hashes)-1])
		steps[i] = atomicStep{kind: kind, base: base, hashes: hashes, after: tip{revision: base.revision + int64(len(hashes)), hash: h}}
		local[stream] = steps[i].after
	}
	return steps
}

// newStreamTip is the tip a stream's first event is chained onto.
var newStreamTip = tip{revision: -1, hash: chain.Zero}

// chainHashes returns the chain hashes of the events of args (as appendArgs returns them)
// appended to stream after base: the encoding of pos_event_hash, over the exact bytes sent.
func chainHashes(stream string, base tip, args []any) [][]byte {
	ids, types, data, meta := args[2].([]pgtype.UUID), args[3].([]string), args[4].([]string), args[5].([]string)
	out := make([][]byte, len(ids))
	var hasher chain.Hasher
	prev := base.hash
	for i := range ids {
		prev = hasher.Sum(prev, chain.Event{Stream: stream, Revision: uint64(base.revision + 1 + int64(i)),
			ID: uuid.UUID(ids[i].Bytes), Type: types[i], Data: []byte(data[i]), Metadata: []byte(meta[i])})
		h := prev
		out[i] = h[:]
	}
	return out
}

// readAtomic reads the answers of an atomic call's batch in order and closes it. It returns
// errNotPlain when a plain statement wrote nothing or met a stored event ID, and an append's
// error (wrapped with its stream) when append_events refused it.
func readAtomic(br pgx.BatchResults, appends []eventstore.StreamAppend, args [][]any, steps []atomicStep) ([]eventstore.AppendResult, map[string]tip, error) {
	defer br.Close()
	out := make([]eventstore.AppendResult, len(args))
	tips := make(map[string]tip, len(args))
	for i, a := range args {
		stream := a[0].(string)
		st := steps[i]
		var (
			last    tip
			written bool
			err     error
		)
		switch st.kind {
		case atomicNewStream, atomicKnownStream:
			var pos *int64
			err = br.QueryRow().Scan(&pos)
			if err == nil && pos != nil {
				last, written = st.after, true
				out[i] = eventstore.AppendResult{Revision: uint64(last.revision), Position: eventstore.Position(*pos)}
			}
		default:
			var (
				status        string
				revision, pos *int64
				hash          []byte
			)
			if err = br.QueryRow().Scan(&status, &revision, &pos, &hash); err == nil {
				if out[i], err = appendOutcome(stream, appends[i].Expected, status, revision, pos); err != nil {
					return nil, nil, fmt.Errorf("append %s: %w", stream, err)
				}
				if h, herr := chain.FromBytes(hash); herr == nil {
					last, written = tip{revision: *revision, hash: h}, true
				}
			}
		}
		switch {
		case aborted(err):
			return nil, nil, errAborted
		case err != nil:
			if err := translateAppendError(err); !errors.Is(err, errIDRace) {
				return nil, nil, fmt.Errorf("append %s: %w", stream, err)
			}
			return nil, nil, errNotPlain
		case !written && st.kind != atomicByFunction:
			return nil, nil, errNotPlain
		case written:
			tips[stream] = last
		default:
			delete(tips, stream)
		}
	}
	return out, tips, nil
}
