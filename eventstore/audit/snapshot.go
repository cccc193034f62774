package audit

import (
	"bytes"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
)

// source is where Verify reads the log and the checkpoints: the event store and the pool, or,
// for pgstore in the same database, one read-only REPEATABLE READ transaction in which the
// events, the streams table and the checkpoints are one snapshot. (A walk through ReadAll
// followed by a read of the streams table would see appends made in between in the latter
// only, and report them as tampering.) The snapshot holds back no writer and no reader of
// $all: a read-only transaction takes no transaction ID and no RowExclusiveLock on events,
// which is all pgstore's hole proof waits for.
type source struct {
	store eventstore.Store
	q     rowsQuerier
	tx    pgx.Tx // nil when reading through store
}

// snapshotReadSQL reads a page of $all as ReadAll returns it (no system streams or events).
const snapshotReadSQL = `SELECT ` + eventColumns + ` FROM events e
 WHERE e.position > $1 AND e.stream_id NOT LIKE '$%' AND e.type NOT LIKE '$%'
 ORDER BY e.position LIMIT $2`

func openSource(ctx context.Context, store eventstore.Store, db *pgxpool.Pool, snapshot bool) (*source, error) {
	if !snapshot {
		return &source{store: store, q: db}, nil
	}
	tx, err := db.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("verify: begin snapshot: %w", err)
	}
	return &source{store: store, q: tx, tx: tx}, nil
}

// page returns at most max events after from, and whether more may follow.
func (s *source) page(ctx context.Context, from eventstore.Position, max int) ([]eventstore.RecordedEvent, bool, error) {
	if s.tx == nil {
		evs, err := s.store.ReadAll(ctx, from, max, eventstore.Filter{})
		if err != nil {
			return nil, false, err
		}
		more := len(evs) == max || len(evs) > 0 && moreAfter(ctx, s.store, evs[len(evs)-1].Position)
		return evs, more, nil
	}
	rows, err := s.tx.Query(ctx, snapshotReadSQL, int64(from), max)
	if err != nil {
		return nil, false, fmt.Errorf("read $all after %d: %w", from, err)
	}
	evs, err := scanEvents(rows)
	return evs, len(evs) == max, err
}

func (s *source) close(ctx context.Context) {
	if s.tx != nil {
		_ = s.tx.Rollback(ctx) // read only: nothing to keep
	}
}

// moreAfter reports whether events exist after p (ReadAll may return a short page before an
// append in flight).
func moreAfter(ctx context.Context, store eventstore.Store, p eventstore.Position) bool {
	head, err := store.HeadPosition(ctx)
	return err == nil && head > p
}

// checkStreamTable compares pgstore's streams table with the streams walked.
func checkStreamTable(ctx context.Context, db rowsQuerier, streams map[string]*streamState) (*Break, error) {
	rows, err := db.Query(ctx, `SELECT stream_id, revision, last_hash FROM streams WHERE revision >= 0 AND stream_id NOT LIKE '$%' ORDER BY stream_id`)
	if err != nil {
		return nil, fmt.Errorf("verify streams table: %w", err)
	}
	var id string
	var rev int64
	var last []byte
	var broken *Break
	seen := 0
	_, err = pgx.ForEachRow(rows, []any{&id, &rev, &last}, func() error {
		if broken != nil {
			return nil
		}
		st := streams[id]
		switch {
		case st == nil:
			broken = &Break{Stream: id, Revision: uint64(rev), Problem: ProblemStreamHead, Detail: "the streams table lists a stream whose events are gone"}
		case uint64(rev)+1 != st.next:
			broken = &Break{Stream: id, Revision: uint64(rev), Problem: ProblemStreamHead,
				Detail: fmt.Sprintf("streams.revision is %d but the last event has revision %d: events deleted", rev, int64(st.next)-1)}
		case !bytes.Equal(last, st.last[:]):
			broken = &Break{Stream: id, Revision: uint64(rev), Problem: ProblemStreamHead,
				Detail: fmt.Sprintf("streams.last_hash %x differs from the last event's hash %s", last, st.last)}
		}
		seen++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("verify streams table: %w", err)
	}
	if broken == nil && seen != len(streams) {
		broken = &Break{Problem: ProblemStreamHead, Detail: fmt.Sprintf("%d streams have events but the streams table lists %d", len(streams), seen)}
	}
	return broken, nil
}
