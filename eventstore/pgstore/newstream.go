package pgstore

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odata-pos/pos/eventstore/chain"
)

// newStreamSQL appends one event to a stream that does not exist yet, as append_events does
// for it (migration 0003: create the stream row first, then insert the event with its chain
// hash), but as one plain statement: PL/pgSQL costs more than the rest of such an append.
// The event is its stream's first, so its chain hash depends on nothing stored: it is computed
// here in Go (firstHash, the same eventstore/chain encoding as pos_event_hash) and sent as $6,
// which spares the server the hashing.
// It answers no row when the stream exists (or a concurrent append created it first and
// committed); the caller then asks append_events, which answers idempotent retries, stale
// expectations and tombstones. An event ID stored in another stream fails the INSERT with a
// unique violation on events_event_id_key, as in append_events. The INSERT into events takes
// RowExclusiveLock on events when the statement starts, before nextval hands out its position,
// so the readers' hole proof (doc.go) holds for it as for append_events.
const newStreamSQL = `
WITH s AS (
    INSERT INTO streams AS s (stream_id, revision, last_hash)
    VALUES ($1::text, 0, $6::bytea)
        ON CONFLICT (stream_id) DO NOTHING
    RETURNING s.last_hash)
INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
SELECT nextval('events_position_seq'), $2::uuid, $1::text, 0, $3::text, $4::json, $5::json, s.last_hash
  FROM s
RETURNING events.position`

// appendNewStream runs newStreamSQL for an append of one event at no-stream (args as
// appendArgs returns them), newStreamsSQL for several. done is false when the append is not of
// that kind or the stream exists: append_events must answer it.
func (s *Store) appendNewStream(ctx context.Context, args []any) (r appendReply, done bool) {
	if !isNewStreamAppend(args) {
		return r, false
	}
	ids := args[2].([]pgtype.UUID)
	if len(ids) > 1 {
		written, err := s.writeNewStreams(ctx, [][]any{args}, once)
		res, ok := written[0]
		switch {
		case err != nil:
			return appendReply{err: err}, true
		case !ok:
			return r, false
		}
		rev, pos := int64(res.Revision), int64(res.Position)
		return appendReply{status: statusOK, revision: &rev, position: &pos}, true // its tip is recorded
	}
	stream, typ := args[0].(string), args[3].([]string)[0]
	data, meta := args[4].([]string)[0], args[5].([]string)[0]
	hash := firstHash(stream, ids[0].Bytes, typ, data, meta)
	var pos int64
	err := s.pool.QueryRow(ctx, newStreamSQL, stream, ids[0], typ, data, meta, hash[:]).Scan(&pos)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return r, false
	case err != nil:
		return appendReply{err: translateAppendError(err)}, true
	}
	rev := int64(0)
	return appendReply{status: statusOK, revision: &rev, position: &pos, hash: hash[:]}, true
}

// firstHash is the chain hash of the first event of a stream (revision 0): data and metadata
// are the exact JSON text stored (json columns keep it byte for byte; the database is UTF8,
// as migration 0002 checks).
func firstHash(stream string, id uuid.UUID, typ, data, meta string) chain.Hash {
	return chain.Sum(chain.Zero, chain.Event{
		Stream: stream, Revision: 0, ID: id, Type: typ, Data: []byte(data), Metadata: []byte(meta),
	})
}

// isNewStreamAppend reports whether args (as appendArgs returns them) append at no-stream, the
// appends newStreamSQL (one event) and newStreamsSQL (any number) take.
func isNewStreamAppend(args []any) bool {
	return args[1].(int64) == expectNoStream
}

// appendNewStreams runs the new-stream appends of batch (distinct streams, each at no-stream) in newStreamsSQL and returns their replies in batch order. A reply with
// neither status nor error is an append whose stream exists: append_events must answer it.
func (s *Store) appendNewStreams(batch []*appendRequest) ([]appendReply, error) {
	args := make([][]any, len(batch))
	for i, req := range batch {
		args[i] = req.args
	}
	written, err := s.insertNewStreams(s.ctx, args)
	if err != nil {
		return nil, err
	}
	replies := make([]appendReply, len(batch))
	for i, res := range written {
		rev, pos := int64(res.Revision), int64(res.Position)
		replies[i] = appendReply{status: statusOK, revision: &rev, position: &pos}
	}
	return replies, nil
}
