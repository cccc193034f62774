package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

var _ eventstore.Restorer = (*Store)(nil)

// restoreInsertSQL writes a batch of restored events as they were: position, recorded time and
// chain hash included (append_events would assign the first two and compute the third).
const restoreInsertSQL = `
INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, recorded_at, hash)
SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::json[], $7::json[], $8::timestamptz[], $9::bytea[])`

// restoreCheckSQL finds the first restored event in [$1, $2] that does not continue its
// stream: no previous revision before it, or a stored hash that its content and the previous
// event's hash do not give (pos_event_hash, the chain of append_events).
const restoreCheckSQL = `
SELECT e.position, e.stream_id, e.revision,
       CASE WHEN e.revision > 0 AND (p.position IS NULL OR p.position > e.position) THEN 'revision'
            ELSE 'hash' END
  FROM events e
  LEFT JOIN events p ON p.stream_id = e.stream_id AND p.revision = e.revision - 1
 WHERE e.position BETWEEN $1 AND $2
   AND (e.revision > 0 AND (p.position IS NULL OR p.position > e.position)
        OR e.hash <> pos_event_hash(p.hash, e.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata))
 ORDER BY e.position
 LIMIT 1`

// restoreStreamsSQL brings the streams table up to the restored events of [$1, $2].
const restoreStreamsSQL = `
INSERT INTO streams (stream_id, revision, last_hash)
SELECT DISTINCT ON (e.stream_id) e.stream_id, e.revision, e.hash
  FROM events e WHERE e.position BETWEEN $1 AND $2
 ORDER BY e.stream_id, e.revision DESC
ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision, last_hash = EXCLUDED.last_hash`

// Restore writes a batch of a backup's events with their own positions, recorded times and
// hashes, in one transaction. See eventstore.Restorer. Every event's hash is recomputed in
// the same transaction (the SQL chain of append_events), so a backup edited by hand is
// refused; the position sequence is moved past the batch, so live appends continue after it.
// Run it while nothing else appends: a restore holds no lock that would order it with live
// appends.
func (s *Store) Restore(ctx context.Context, events []eventstore.RecordedEvent) error {
	if len(events) == 0 {
		return nil
	}
	args, err := restoreArgs(events)
	if err != nil {
		return err
	}
	first, last := int64(events[0].AuditPosition()), int64(events[len(events)-1].AuditPosition())
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var top int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM events`).Scan(&top); err != nil {
			return err
		}
		if first <= top {
			return fmt.Errorf("%w: position %d is not after the log's last position %d", eventstore.ErrInvalidRestore, first, top)
		}
		if _, err := tx.Exec(ctx, restoreInsertSQL, args...); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation: ID or (stream, revision) already stored
				return fmt.Errorf("%w: %s", eventstore.ErrInvalidRestore, pe.Detail)
			}
			return err
		}
		var (
			pos, rev int64
			stream   string
			problem  string
		)
		switch err := tx.QueryRow(ctx, restoreCheckSQL, first, last).Scan(&pos, &stream, &rev, &problem); {
		case err == nil:
			if problem == "revision" {
				return fmt.Errorf("%w: %s revision %d at position %d does not follow a restored revision %d", eventstore.ErrInvalidRestore, stream, rev, pos, rev-1)
			}
			return fmt.Errorf("%w: %s revision %d at position %d: its content and the previous event's hash do not give its stored hash", eventstore.ErrInvalidRestore, stream, rev, pos)
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if _, err := tx.Exec(ctx, restoreStreamsSQL, first, last); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT setval('events_position_seq', $1)`, last)
		return err
	})
	if err != nil {
		if errors.Is(err, eventstore.ErrInvalidRestore) {
			return fmt.Errorf("restore at position %d: %w", first, err)
		}
		return fmt.Errorf("restore at position %d: %w", first, unavailable(err))
	}
	s.settled.Store(uint64(last))
	return nil
}

// restoreArgs checks a batch and lays it out in columns for restoreInsertSQL.
func restoreArgs(events []eventstore.RecordedEvent) ([]any, error) {
	n := len(events)
	var (
		pos       = make([]int64, n)
		ids       = make([]pgtype.UUID, n)
		streams   = make([]string, n)
		revisions = make([]int64, n)
		types     = make([]string, n)
		data      = make([]string, n)
		meta      = make([]string, n)
		recorded  = make([]time.Time, n)
		hashes    = make([][]byte, n)
	)
	for i := range events {
		e := &events[i]
		p := e.AuditPosition()
		switch {
		case p == 0 || p > 1<<63-1:
			return nil, fmt.Errorf("%w: event %s has position %d", eventstore.ErrInvalidRestore, e.ID, p)
		case i > 0 && p <= events[i-1].AuditPosition():
			return nil, fmt.Errorf("%w: position %d after %d", eventstore.ErrInvalidRestore, p, events[i-1].AuditPosition())
		case e.Stream == "" || e.Type == "":
			return nil, fmt.Errorf("%w: event at position %d has no stream or type", eventstore.ErrInvalidRestore, p)
		case e.Revision > 1<<63-1:
			return nil, fmt.Errorf("%w: event at position %d has revision %d", eventstore.ErrInvalidRestore, p, e.Revision)
		case len(e.Hash) != chain.Size:
			return nil, fmt.Errorf("%w: event at position %d has no chain hash", eventstore.ErrInvalidRestore, p)
		case !json.Valid(e.Data) || !json.Valid(e.RawMetadata):
			return nil, fmt.Errorf("%w: event at position %d: data or metadata is not JSON", eventstore.ErrInvalidRestore, p)
		case e.RecordedAt.IsZero():
			return nil, fmt.Errorf("%w: event at position %d has no recorded time", eventstore.ErrInvalidRestore, p)
		}
		pos[i], ids[i], streams[i], revisions[i] = int64(p), pgtype.UUID{Bytes: e.ID, Valid: true}, e.Stream, int64(e.Revision)
		types[i], data[i], meta[i], recorded[i], hashes[i] = e.Type, string(e.Data), string(e.RawMetadata), e.RecordedAt, e.Hash
	}
	return []any{pos, ids, streams, revisions, types, data, meta, recorded, hashes}, nil
}
