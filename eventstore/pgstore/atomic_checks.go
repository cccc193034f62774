package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odata-pos/pos/eventstore"
)

// checkArgs are the checks of an atomic call (eventstore.StreamCheck) as its statements take
// them: the streams' names and the revisions they must be at. Empty, not nil: a nil slice is
// sent as NULL, whose cardinality is NULL, not 0.
type checkArgs struct {
	streams   []string
	revisions []int64
	checks    []eventstore.StreamCheck
	// ids are the IDs of every event of a call with checks, none of which may be stored.
	ids []pgtype.UUID
}

// newCheckArgs returns checks as the statements take them, for a call of appends (args as
// appendArgs returns them).
func newCheckArgs(checks []eventstore.StreamCheck, args [][]any) checkArgs {
	out := checkArgs{streams: make([]string, len(checks)), revisions: make([]int64, len(checks)), checks: checks}
	for i, c := range checks {
		out.streams[i], out.revisions[i] = c.Stream, int64(c.Revision)
	}
	if len(checks) > 0 {
		for _, a := range args {
			out.ids = append(out.ids, a[2].([]pgtype.UUID)...)
		}
	}
	return out
}

// storedIDsSQL tells whether any of the event IDs $1 is stored: a call with checks is never
// an idempotent retry (see eventstore.CheckedAtomicAppender). Its one statement cannot be one
// (a stored ID fails its insert); append_events, which its transaction runs, answers one as
// such, so the transaction asks first, under the locks of its streams.
const storedIDsSQL = `SELECT EXISTS (SELECT 1 FROM events WHERE event_id = ANY($1::uuid[]))`

// checkAtomicSQL finds the first check of an atomic call that does not hold ($1 the streams,
// $2 their revisions): the check's index (1-based) and what the stream is instead, or no row
// when every check holds. It runs in the call's transaction, after its streams are locked, and
// locks nothing itself (see eventstore.CheckedAtomicAppender).
const checkAtomicSQL = `
SELECT k.i, s.stream_id IS NOT NULL, coalesce(s.deleted, false), coalesce(s.revision, -1)
  FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS k(stream, rev, i)
  LEFT JOIN streams s ON s.stream_id = k.stream
 WHERE s.stream_id IS NULL OR s.deleted OR s.revision <> k.rev
 ORDER BY k.i
 LIMIT 1`

// lockAndCheck sends batch (the lock of a call's streams) with the statements that check its
// checks in tx, and returns nil when every check holds and no event of the call is stored,
// else the error of the first check that does not, or ErrDuplicateEventID.
func lockAndCheck(ctx context.Context, tx pgx.Tx, batch *pgx.Batch, checks checkArgs) error {
	batch.Queue(checkAtomicSQL, checks.streams, checks.revisions)
	batch.Queue(storedIDsSQL, checks.ids)
	br := tx.SendBatch(ctx, batch)
	if err := readLockAndChecks(br, checks); err != nil {
		_ = br.Close()
		return err
	}
	if err := br.Close(); err != nil {
		return atomicError(err)
	}
	return nil
}

// readLockAndChecks reads the answers of lockAndCheck's batch.
func readLockAndChecks(br pgx.BatchResults, checks checkArgs) error {
	if _, err := br.Exec(); err != nil { // lockAtomicSQL
		return atomicError(err)
	}
	if err := readCheck(br, checks); err != nil {
		return err
	}
	var stored bool
	if err := br.QueryRow().Scan(&stored); err != nil {
		return atomicError(err)
	}
	if stored {
		return fmt.Errorf("a checked call's event is stored already: %w", eventstore.ErrDuplicateEventID)
	}
	return nil
}

// readCheck reads the answer of checkAtomicSQL: nil when every check holds, else the error of
// the first that does not.
func readCheck(br pgx.BatchResults, checks checkArgs) error {
	var (
		i               int64
		exists, deleted bool
		revision        int64
	)
	err := br.QueryRow().Scan(&i, &exists, &deleted, &revision)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return atomicError(err)
	}
	exists = exists && revision >= 0
	return eventstore.CheckFailed(checks.checks[i-1], exists, deleted, uint64(max(revision, 0)))
}
