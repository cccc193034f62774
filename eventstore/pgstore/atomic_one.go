package pgstore

import (
	"context"
	"slices"
	"strings"

	"github.com/odata-pos/pos/eventstore"
)

// atomicOneSQL writes every append of an atomic call in one statement, when each is plain (the
// first append to a new stream, or an append whose stream tip is known and whose expectation
// holds there): $1…$5 the existing streams (name, the tip's revision and hash as seen, the
// revision and hash the call leaves), $6…$8 the new streams (name, the revision and hash the
// call leaves), $9…$15 every event of the call in order (stream, revision, ID, type, data,
// metadata, chain hash), $16…$17 the call's checks (name, revision; eventstore.StreamCheck).
// It answers the positions of the events, in order, or NULL when it wrote nothing.
//
// All or nothing without a transaction block: the existing streams' rows whose tip is still
// as seen are locked first, one after the other in the order given, which is stream name order
// (bytewise, as the batchers and append_events' batch statement lock theirs, so none of them
// can deadlock with it; a LATERAL lookup by key, not a join the planner may turn into a scan of
// every stream); unless every one of them is, and every stream checked is at its revision and
// not deleted (read, not locked), nothing is created, advanced or inserted and the answer is
// NULL; so it is when a new stream exists already (a retry), so that the statement takes no
// position it would leave as a hole in $all. A new stream created meanwhile by a transaction
// not yet committed, or an event ID already stored, fails the whole statement with a unique
// violation, which undoes it. Positions are taken as in the other statements: nextval after
// the sort, under the RowExclusiveLock the statement holds on events until it commits. Arrays
// are unnested through scalar subqueries so that the cached generic plan is kept (see
// appendKnownBatchSQL).
const atomicOneSQL = `
WITH l AS MATERIALIZED (
    SELECT s.stream_id, k.rev, k.last
      FROM unnest((SELECT $1::text[]), (SELECT $2::bigint[]), (SELECT $3::bytea[]), (SELECT $4::bigint[]),
                  (SELECT $5::bytea[])) AS k(stream, base, prev, rev, last)
     CROSS JOIN LATERAL (
           SELECT s.stream_id FROM streams s
            WHERE s.stream_id = k.stream AND s.revision = k.base AND s.last_hash = k.prev AND NOT s.deleted
              FOR UPDATE) s),
g AS MATERIALIZED (
    SELECT count(*) AS held
      FROM unnest((SELECT $16::text[]), (SELECT $17::bigint[])) AS k(stream, rev)
     CROSS JOIN LATERAL (
           SELECT 1 FROM streams s WHERE s.stream_id = k.stream AND s.revision = k.rev AND NOT s.deleted) s),
ok AS MATERIALIZED (
    SELECT count(*) = cardinality((SELECT $1::text[])) AND (SELECT g.held FROM g) = cardinality((SELECT $16::text[]))
           AND NOT EXISTS (SELECT 1 FROM streams s WHERE s.stream_id = ANY((SELECT $6::text[])::text[])) AS ok
      FROM l),
c AS (
    INSERT INTO streams (stream_id, revision, last_hash)
    SELECT n.stream, n.rev, n.last
      FROM unnest((SELECT $6::text[]), (SELECT $7::bigint[]), (SELECT $8::bytea[])) AS n(stream, rev, last), ok
     WHERE ok.ok
    RETURNING streams.stream_id),
u AS (
    UPDATE streams s SET revision = l.rev, last_hash = l.last
      FROM l, ok
     WHERE s.stream_id = ANY((SELECT $1::text[])::text[]) AND s.stream_id = l.stream_id AND ok.ok
    RETURNING s.stream_id),
w AS (
    INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
    SELECT nextval('events_position_seq'), e.id, e.stream, e.revision, e.type, e.data, e.meta, e.hash
      FROM unnest((SELECT $9::text[]), (SELECT $10::bigint[]), (SELECT $11::uuid[]), (SELECT $12::text[]),
                  (SELECT $13::json[]), (SELECT $14::json[]), (SELECT $15::bytea[]))
              WITH ORDINALITY AS e(stream, revision, id, type, data, meta, hash, ord), ok
     WHERE ok.ok
     ORDER BY e.ord
    RETURNING events.position)
SELECT array_agg(w.position ORDER BY w.position) FROM w`

// allPlain reports whether every append of an atomic call was planned as a plain statement.
func allPlain(steps []atomicStep) bool {
	for _, st := range steps {
		if st.kind == atomicByFunction {
			return false
		}
	}
	return true
}

// atomicOneStream is a stream of an atomic call as atomicOneSQL takes it: its tip before the
// call's first append to it (base; revision -1 for a new stream) and after its last (after).
type atomicOneStream struct {
	name        string
	fresh       bool
	base, after tip
}

// atomicOneArgs returns the arguments of atomicOneSQL for an atomic call's appends (args as
// appendArgs returns them) planned as steps, all plain, and, for each append, the index of its
// last event among the call's events. The existing streams are given in name order (bytewise,
// Go's string order, COLLATE "C"): the order in which the statement locks them.
func atomicOneArgs(args [][]any, steps []atomicStep, checks checkArgs) (params []any, last []int) {
	var touched []atomicOneStream
	events := newEventRows(0)
	last = make([]int, len(args))
	for i, a := range args {
		stream, st := a[0].(string), steps[i]
		if j := slices.IndexFunc(touched, func(t atomicOneStream) bool { return t.name == stream }); j >= 0 {
			touched[j].after = st.after
		} else {
			touched = append(touched, atomicOneStream{name: stream, fresh: st.kind == atomicNewStream, base: st.base, after: st.after})
		}
		events.add(stream, st.base, a, st.hashes)
		last[i] = len(events.ids) - 1
	}
	slices.SortFunc(touched, func(a, b atomicOneStream) int { return strings.Compare(a.name, b.name) })
	// Empty, not nil: a nil slice is sent as NULL, whose cardinality is NULL, not 0.
	known, fresh := []string{}, []string{}
	knownBase, knownRev, freshRev := []int64{}, []int64{}, []int64{}
	knownPrev, knownLast, freshLast := [][]byte{}, [][]byte{}, [][]byte{}
	for _, t := range touched {
		if t.fresh {
			fresh, freshRev, freshLast = append(fresh, t.name), append(freshRev, t.after.revision), append(freshLast, slices.Clone(t.after.hash[:]))
			continue
		}
		known, knownBase, knownPrev = append(known, t.name), append(knownBase, t.base.revision), append(knownPrev, slices.Clone(t.base.hash[:]))
		knownRev, knownLast = append(knownRev, t.after.revision), append(knownLast, slices.Clone(t.after.hash[:]))
	}
	return append([]any{known, knownBase, knownPrev, knownRev, knownLast, fresh, freshRev, freshLast},
		append(events.params(), checks.streams, checks.revisions)...), last
}

// appendAtomicOne writes an atomic call's appends, all planned plain as steps, by atomicOneSQL
// in autocommit, if its checks hold: one round trip, one transaction. It returns errNotPlain
// when the statement wrote nothing (a check failed, append_events' path says which) or met a stream created or an event ID stored meanwhile (append_events must
// answer), errAborted when the server aborted it.
func (s *Store) appendAtomicOne(ctx context.Context, args [][]any, steps []atomicStep, checks checkArgs) ([]eventstore.AppendResult, map[string]tip, error) {
	params, last := atomicOneArgs(args, steps, checks)
	var positions []int64
	err := s.pool.QueryRow(ctx, atomicOneSQL, params...).Scan(&positions)
	switch {
	case pgCode(err) == "23505":
		return nil, nil, errNotPlain
	case err != nil:
		return nil, nil, atomicError(err)
	case len(positions) != last[len(last)-1]+1: // short of the call's events: nothing written
		return nil, nil, errNotPlain
	}
	out := make([]eventstore.AppendResult, len(args))
	tips := make(map[string]tip, len(args))
	for i, a := range args {
		out[i] = eventstore.AppendResult{Revision: uint64(steps[i].after.revision), Position: eventstore.Position(positions[last[i]])}
		tips[a[0].(string)] = steps[i].after
		if steps[i].kind == atomicKnownStream {
			s.knownWritten.Add(1)
		}
	}
	s.atomicOneCalls.Add(1)
	return out, tips, nil
}
