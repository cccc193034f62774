package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// newStreamSQL appends one event to a stream that does not exist yet, as append_events does
// for it (migration 0003: create the stream row first, then insert the event with its chain
// hash), but as one plain statement: PL/pgSQL costs more than the rest of such an append.
// It answers no row when the stream exists (or a concurrent append created it first and
// committed); the caller then asks append_events, which answers idempotent retries, stale
// expectations and tombstones. An event ID stored in another stream fails the INSERT with a
// unique violation on events_event_id_key, as in append_events. The INSERT into events takes
// RowExclusiveLock on events when the statement starts, before nextval hands out its position,
// so the readers' hole proof (doc.go) holds for it as for append_events.
const newStreamSQL = `
WITH s AS (
    INSERT INTO streams AS s (stream_id, revision, last_hash)
    VALUES ($1::text, 0, pos_event_hash(NULL, $1::text, 0, $2::uuid, $3::text, $4::json, $5::json))
        ON CONFLICT (stream_id) DO NOTHING
    RETURNING s.last_hash)
INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
SELECT nextval('events_position_seq'), $2::uuid, $1::text, 0, $3::text, $4::json, $5::json, s.last_hash
  FROM s
RETURNING events.position`

// appendNewStream runs newStreamSQL for an append of one event at no-stream (args as
// appendArgs returns them). done is false when the append is not of that kind or the stream
// exists: append_events must answer it.
func (s *Store) appendNewStream(ctx context.Context, args []any) (r appendReply, done bool) {
	ids := args[2].([]pgtype.UUID)
	if args[1].(int64) != expectNoStream || len(ids) != 1 {
		return r, false
	}
	var pos int64
	err := s.pool.QueryRow(ctx, newStreamSQL, args[0], ids[0], args[3].([]string)[0], args[4].([]string)[0], args[5].([]string)[0]).Scan(&pos)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return r, false
	case err != nil:
		return appendReply{err: translateAppendError(err)}, true
	}
	rev := int64(0)
	return appendReply{status: statusOK, revision: &rev, position: &pos}, true
}
