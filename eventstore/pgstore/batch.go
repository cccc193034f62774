package pgstore

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// Appends that arrive while more than Options.DirectAppends others are in flight
// (Options.DirectOneEvent for appends of one event) are committed together (the first ones
// run alone, each on its own goroutine): a batcher takes every append waiting for it (up to
// Options.MaxAppendBatch) and runs them in ONE statement, so one transaction and one WAL
// flush serve them all (application-level group commit). Each append
// keeps its own outcome: the known appends (the first of each stream whose tip the store
// knows: knownappend.go) are written together by one plain statement, the appends to new
// streams by another (newStreamsSQL), and the rest, with those two did not write, by
// append_events once per append, which reports a status instead of raising. A batch of one
// takes the path of an append run alone. Appends in a batch are ordered by stream (the
// order of one stream's appends is kept), so two batches lock stream rows in the same order
// and cannot deadlock. If the batch statement fails as a whole (a unique-violation race on an
// event ID aborts it), each of its appends runs again alone, where that race is answered.
//
// The hole proof of the readers (doc.go) is unaffected: the batch's positions are taken by
// INSERTs into events (in append_events or the plain statements), under the same
// RowExclusiveLock.

// appendBatchSQL runs append_events for every append of a batch, in order, in one statement.
const appendBatchSQL = `
SELECT r.status, r.revision, r.position, r.last_hash
  FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[]) WITH ORDINALITY AS b(stream, expected, first, n, ord)
  CROSS JOIN LATERAL append_events(b.stream, b.expected,
        ($5::uuid[])[b.first : b.first + b.n - 1], ($6::text[])[b.first : b.first + b.n - 1],
        ($7::json[])[b.first : b.first + b.n - 1], ($8::json[])[b.first : b.first + b.n - 1]) AS r
 ORDER BY b.ord`

// appendRequest is one Append waiting for a batcher.
type appendRequest struct {
	ctx   context.Context
	args  []any // as appendArgs returns them
	reply chan appendReply
}

// appendReply is the outcome of one append_events call.
type appendReply struct {
	status             string
	revision, position *int64
	// hash is the stream's last chain hash after an append that wrote its events (nil
	// otherwise): the stream's tip is then (revision, hash).
	hash []byte
	err  error // translated (translateAppendError)
}

// appendOnce runs one append_events call: on the calling goroutine while no more than
// Options.DirectAppends appends are in flight (Options.DirectOneEvent for an append of one
// event), with no hand-off to wait for, otherwise through the batchers, which commit it
// together with the others waiting.
func (s *Store) appendOnce(ctx context.Context, args []any) appendReply {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	if s.batches == nil || n <= int64(s.directLimit(args)) {
		return s.appendAlone(ctx, args)
	}
	req := &appendRequest{ctx: ctx, args: args, reply: make(chan appendReply, 1)}
	s.handedOff.Add(1)
	select {
	case s.batches <- req:
	case <-ctx.Done():
		return appendReply{err: ctx.Err()}
	case <-s.ctx.Done():
		return s.appendAlone(ctx, args)
	}
	select {
	case r := <-req.reply:
		return r
	case <-ctx.Done():
		// The append may still be committed by its batch; a retry with the same event IDs
		// answers from it.
		return appendReply{err: ctx.Err()}
	}
}

// directLimit is how many appends in flight the append of args may find and still run
// alone (store.go, Options.DirectOneEvent says why one-event appends may find more).
func (s *Store) directLimit(args []any) int {
	if len(args[2].([]pgtype.UUID)) == 1 {
		return s.opts.DirectOneEvent
	}
	return s.opts.DirectAppends
}

// appendAlone runs one append in its own statement: an append to a stream whose tip the
// store knows by appendKnownSQL, an event for a new stream by newStreamSQL, anything else (and
// any of those that the plain statement did not write) by append_events.
func (s *Store) appendAlone(ctx context.Context, args []any) appendReply {
	if r, done := s.appendKnown(ctx, args); done {
		return r
	}
	if r, done := s.appendNewStream(ctx, args); done {
		return r
	}
	var r appendReply
	if err := s.pool.QueryRow(ctx, appendSQL, args...).Scan(&r.status, &r.revision, &r.position, &r.hash); err != nil {
		r.err = translateAppendError(err)
	}
	return r
}

// runBatcher serves waiting appends until the store closes.
func (s *Store) runBatcher() {
	defer s.wg.Done()
	max := s.opts.MaxAppendBatch
	batch := make([]*appendRequest, 0, max)
	for {
		batch = batch[:0]
		select {
		case req := <-s.batches:
			batch = append(batch, req)
		case <-s.ctx.Done():
			return
		}
	drain:
		for len(batch) < max {
			select {
			case req := <-s.batches:
				batch = append(batch, req)
			default:
				break drain
			}
		}
		s.serve(batch)
	}
}

// serve answers every request of batch.
func (s *Store) serve(batch []*appendRequest) {
	live := batch[:0]
	for _, req := range batch {
		if err := req.ctx.Err(); err != nil {
			req.reply <- appendReply{err: err}
			continue
		}
		live = append(live, req)
	}
	live = s.serveKnown(live)
	live = s.serveNewStreams(live)
	switch len(live) {
	case 0:
		return
	case 1:
		live[0].reply <- s.appendAlone(live[0].ctx, live[0].args)
		return
	}
	replies, err := s.appendBatch(live)
	if err != nil {
		for _, req := range live {
			req.reply <- s.appendAlone(req.ctx, req.args)
		}
		return
	}
	for i, req := range live {
		req.reply <- replies[i]
	}
}

// serveNewStreams answers the new-stream appends of live (at no-stream; the first such append
// of each stream) together in newStreamsSQL, when there are two or more, and
// returns the appends it left unanswered in their order in live: the others, and those whose
// stream exists. If the statement fails as a whole (an event ID stored meanwhile), each of
// its appends runs alone.
func (s *Store) serveNewStreams(live []*appendRequest) []*appendRequest {
	fresh := make([]*appendRequest, 0, len(live))
	taken := make(map[string]bool, len(live))
	for _, req := range live {
		if stream := req.args[0].(string); isNewStreamAppend(req.args) && !taken[stream] {
			taken[stream] = true
			fresh = append(fresh, req)
		}
	}
	if len(fresh) < 2 {
		return live
	}
	slices.SortFunc(fresh, func(a, b *appendRequest) int {
		return strings.Compare(a.args[0].(string), b.args[0].(string))
	})
	replies, err := s.appendNewStreams(fresh)
	answered := make(map[*appendRequest]bool, len(fresh))
	for i, req := range fresh {
		switch {
		case err != nil:
			req.reply <- s.appendAlone(req.ctx, req.args)
		case replies[i].status == "":
			continue // the stream exists
		default:
			req.reply <- replies[i]
		}
		answered[req] = true
	}
	return slices.DeleteFunc(live, func(req *appendRequest) bool { return answered[req] })
}

// appendBatch runs the appends of batch in one statement and returns their outcomes in
// batch order.
func (s *Store) appendBatch(batch []*appendRequest) ([]appendReply, error) {
	order := make([]int, len(batch))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return strings.Compare(batch[a].args[0].(string), batch[b].args[0].(string))
	})
	var (
		streams           = make([]string, len(batch))
		expected          = make([]int64, len(batch))
		firsts, counts    = make([]int32, len(batch)), make([]int32, len(batch))
		ids               []pgtype.UUID
		types, data, meta []string
	)
	for i, k := range order {
		a := batch[k].args
		streams[i], expected[i] = a[0].(string), a[1].(int64)
		firsts[i] = int32(len(ids) + 1)
		ids = append(ids, a[2].([]pgtype.UUID)...)
		types = append(types, a[3].([]string)...)
		data = append(data, a[4].([]string)...)
		meta = append(meta, a[5].([]string)...)
		counts[i] = int32(len(ids)) - firsts[i] + 1
	}
	rows, err := s.pool.Query(s.ctx, appendBatchSQL, streams, expected, firsts, counts, ids, types, data, meta)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	replies := make([]appendReply, len(batch))
	i := 0
	for rows.Next() {
		if i >= len(order) {
			return nil, errBatchShape
		}
		r := &replies[order[i]]
		if err := rows.Scan(&r.status, &r.revision, &r.position, &r.hash); err != nil {
			return nil, err
		}
		i++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if i != len(order) {
		return nil, errBatchShape
	}
	return replies, nil
}
