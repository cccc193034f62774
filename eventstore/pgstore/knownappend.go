package pgstore

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// An append to a stream whose tip the store knows (tips.go) and whose expectation holds at
// that tip (the exact revision of the tip, Any or StreamExists) is written without
// append_events: its events' chain hashes are computed here (eventstore/chain, the encoding of
// pos_event_hash) and one plain statement advances the stream row and inserts the events, only
// if the row is still at the tip (revision AND last hash) and not deleted. The UPDATE locks the
// row and, when a concurrent append moved it meanwhile, rechecks that guard on the row as it
// now is (READ COMMITTED), so the hashes always extend the hash actually stored. When the guard
// fails nothing is written and no row is answered; when an event ID is already stored (an
// idempotent retry, a duplicate) the INSERT fails with a unique violation and nothing is
// written either. In both cases append_events answers the append as it answers any append, so
// idempotent retries, wrong_expected, deleted and duplicate_event_id mean what they always
// meant. The INSERT into events takes RowExclusiveLock on events when the statement starts,
// before nextval hands out positions, so the readers' hole proof (doc.go) holds for it too.

// appendKnownSQL writes one known append: $1 stream, $2 the tip's revision, $3…$6 the events
// as append_events takes them, $7 the tip's hash, $8 the last event's hash, $9 every event's
// hash. It answers the last position, NULL when it wrote nothing.
const appendKnownSQL = `
WITH s AS (
    UPDATE streams s SET revision = $2::bigint + cardinality($3::uuid[]), last_hash = $8::bytea
     WHERE s.stream_id = $1::text AND s.revision = $2::bigint AND s.last_hash = $7::bytea AND NOT s.deleted
    RETURNING s.stream_id),
w AS (
    INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
    SELECT nextval('events_position_seq'), e.id, s.stream_id, $2::bigint + e.ord, e.type, e.data, e.meta, e.hash
      FROM s, unnest($3::uuid[], $4::text[], $5::json[], $6::json[], $9::bytea[])
              WITH ORDINALITY AS e(id, type, data, meta, hash, ord)
     ORDER BY e.ord
    RETURNING events.position)
SELECT max(w.position) FROM w`

// appendKnownOneSQL is appendKnownSQL for an append of one event, without arrays: $1 stream,
// $2 the tip's revision, $3…$6 the event's ID, type, data and metadata, $7 the tip's hash, $8
// the event's hash. It answers the event's position, no row when it wrote nothing.
const appendKnownOneSQL = `
WITH s AS (
    UPDATE streams s SET revision = $2::bigint + 1, last_hash = $8::bytea
     WHERE s.stream_id = $1::text AND s.revision = $2::bigint AND s.last_hash = $7::bytea AND NOT s.deleted
    RETURNING s.stream_id)
INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
SELECT nextval('events_position_seq'), $3::uuid, s.stream_id, $2::bigint + 1, $4::text, $5::json, $6::json, $8::bytea
  FROM s
RETURNING events.position`

// appendKnownBatchSQL writes several known appends to distinct streams in one statement:
// $1…$5 one row per append (stream, the tip's revision and hash, the last event's hash, the
// number of events), $6…$12 their events (grouped by append, in revision order). It first
// locks the stream rows whose guard holds in stream name order (bytewise, the order of the
// batch statement of append_events), so two batches cannot deadlock, then advances them and
// inserts the events of those streams only, with positions in the order given. It answers
// (stream, last position) for each append written.
//
// Every array is unnested through a scalar subquery, (SELECT $n), which the planner estimates
// as any array parameter (10 elements) whether it plans for the values given or not. With
// bare parameters, a plan for the values (a custom plan) saw the batch's real length, 2 to 5
// appends, and always looked cheaper than the cached generic plan, which assumes 10: PostgreSQL
// then planned the statement anew at every call (pg_prepared_statements: 14 custom plans, no
// generic one, in 14 calls), 0.6-1.6 ms of planning per batch on a loaded 2-core machine
// against 0.12-0.15 ms to take the cached plan. Now both cost the same, and after the five
// custom plans PostgreSQL always tries the generic plan is kept: the same plan (index scans
// of streams_pkey), without planning (TestKnownBatchPlanIsCached).
const appendKnownBatchSQL = `
WITH l AS MATERIALIZED (
    SELECT s.stream_id, b.base, b.n, b.last
      FROM unnest((SELECT $1::text[]), (SELECT $2::bigint[]), (SELECT $3::bytea[]), (SELECT $4::bytea[]),
                  (SELECT $5::int[])) AS b(stream, base, prev, last, n)
      JOIN streams s ON s.stream_id = b.stream
     WHERE s.revision = b.base AND s.last_hash = b.prev AND NOT s.deleted
     ORDER BY s.stream_id COLLATE "C"
       FOR UPDATE OF s),
u AS (
    UPDATE streams s SET revision = l.base + l.n, last_hash = l.last
      FROM l
     WHERE s.stream_id = l.stream_id
    RETURNING s.stream_id),
w AS (
    INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
    SELECT nextval('events_position_seq'), e.id, e.stream, e.revision, e.type, e.data, e.meta, e.hash
      FROM unnest((SELECT $6::text[]), (SELECT $7::bigint[]), (SELECT $8::uuid[]), (SELECT $9::text[]),
                  (SELECT $10::json[]), (SELECT $11::json[]), (SELECT $12::bytea[]))
              WITH ORDINALITY AS e(stream, revision, id, type, data, meta, hash, ord)
      JOIN u ON u.stream_id = e.stream
     ORDER BY e.ord
    RETURNING events.stream_id, events.position)
SELECT w.stream_id, max(w.position) FROM w GROUP BY w.stream_id`

// knownAppend is an append (args as appendArgs returns them) to a stream whose tip is known,
// with its events' chain hashes.
type knownAppend struct {
	args   []any
	base   tip      // the stream's tip before the append
	hashes [][]byte // of the events, in order
}

// last returns the hash of the append's last event: the stream's tip hash after it.
func (k knownAppend) last() []byte { return k.hashes[len(k.hashes)-1] }

// reply is the outcome of k once written at position (of its last event).
func (k knownAppend) reply(position int64) appendReply {
	rev := k.base.revision + int64(len(k.hashes))
	return appendReply{status: statusOK, revision: &rev, position: &position, hash: k.last()}
}

// planKnown returns the known append of args when the store knows its stream's tip and the
// expectation holds there.
func (s *Store) planKnown(args []any) (knownAppend, bool) {
	stream, expected := args[0].(string), args[1].(int64)
	if expected == expectNoStream {
		return knownAppend{}, false
	}
	tp, ok := s.tips.get(stream)
	if !ok || tp.revision < 0 || (expected >= 0 && expected != tp.revision) {
		return knownAppend{}, false
	}
	return knownAppend{args: args, base: tp, hashes: chainHashes(stream, tp, args)}, true
}

// appendKnown runs appendKnownSQL for args. done is false when the store does not know the
// stream's tip, its expectation does not hold there or the statement wrote nothing (the
// stream moved or was deleted, an event ID is stored): append_events must answer it.
func (s *Store) appendKnown(ctx context.Context, args []any) (r appendReply, done bool) {
	k, ok := s.planKnown(args)
	if !ok {
		return r, false
	}
	var (
		pos *int64
		err error
	)
	if len(k.hashes) == 1 {
		err = s.pool.QueryRow(ctx, appendKnownOneSQL, args[0], k.base.revision, args[2].([]pgtype.UUID)[0],
			args[3].([]string)[0], args[4].([]string)[0], args[5].([]string)[0], k.base.hash[:], k.last()).Scan(&pos)
		if errors.Is(err, pgx.ErrNoRows) {
			return r, false
		}
	} else {
		err = s.pool.QueryRow(ctx, appendKnownSQL, args[0], k.base.revision, args[2], args[3], args[4], args[5],
			k.base.hash[:], k.last(), k.hashes).Scan(&pos)
	}
	switch {
	case err != nil:
		if err := translateAppendError(err); !errors.Is(err, errIDRace) {
			return appendReply{err: err}, true
		}
		return r, false
	case pos == nil:
		return r, false
	}
	s.knownWritten.Add(1)
	return k.reply(*pos), true
}

// serveKnown answers the known appends of live (the first append of each stream in live,
// when the store knows its tip and its expectation holds there) together, and returns the
// appends it left unanswered in their order in live: the others, and those it did not write.
// One known append runs alone (appendKnownSQL), several in appendKnownBatchSQL. If the
// statement fails as a whole (an event ID already stored), all of them are left unanswered.
func (s *Store) serveKnown(live []*appendRequest) []*appendRequest {
	known := make([]knownAppend, 0, len(live))
	reqs := make([]*appendRequest, 0, len(live))
	taken := make(map[string]bool, len(live))
	for _, req := range live {
		stream := req.args[0].(string)
		if taken[stream] {
			continue
		}
		taken[stream] = true
		if k, ok := s.planKnown(req.args); ok {
			known, reqs = append(known, k), append(reqs, req)
		}
	}
	answered := make(map[*appendRequest]bool, len(known))
	switch len(known) {
	case 0:
		return live
	case 1:
		if r, done := s.appendKnown(reqs[0].ctx, reqs[0].args); done {
			reqs[0].reply <- r
			answered[reqs[0]] = true
		}
	default:
		positions, err := s.appendKnownBatch(known)
		if err != nil {
			return live
		}
		for i, req := range reqs {
			if p, ok := positions[known[i].args[0].(string)]; ok {
				req.reply <- known[i].reply(p)
				answered[req] = true
				s.knownWritten.Add(1)
			}
		}
	}
	return slices.DeleteFunc(live, func(req *appendRequest) bool { return answered[req] })
}

// appendKnownBatch runs appendKnownBatchSQL for known (distinct streams) and returns the last
// position of each append written, by stream.
func (s *Store) appendKnownBatch(known []knownAppend) (map[string]int64, error) {
	known = slices.Clone(known)
	slices.SortFunc(known, func(a, b knownAppend) int { return strings.Compare(a.args[0].(string), b.args[0].(string)) })
	var (
		streams      = make([]string, len(known))
		bases        = make([]int64, len(known))
		prevs, lasts = make([][]byte, len(known)), make([][]byte, len(known))
		counts       = make([]int32, len(known))
		events       = newEventRows(0)
	)
	for i, k := range known {
		stream := k.args[0].(string)
		streams[i], bases[i], prevs[i], lasts[i] = stream, k.base.revision, k.base.hash[:], k.last()
		counts[i] = int32(len(k.hashes))
		events.add(stream, k.base, k.args, k.hashes)
	}
	rows, err := s.pool.Query(s.ctx, appendKnownBatchSQL, append([]any{streams, bases, prevs, lasts, counts}, events.params()...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	positions := make(map[string]int64, len(known))
	for rows.Next() {
		var (
			stream string
			pos    int64
		)
		if err := rows.Scan(&stream, &pos); err != nil {
			return nil, err
		}
		positions[stream] = pos
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return positions, nil
}
