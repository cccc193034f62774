package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
)

// querier is what indexWatermark needs of a pool or transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// writeIndex stores the filter columns of evs (one page of $all, in order) in
// audit_event_index, in one statement: the index grows by whole pages, in position order, so
// its highest position is a watermark below which every event is indexed. Rows already
// there (a concurrent checkpointer) are left alone.
func writeIndex(ctx context.Context, db *pgxpool.Pool, evs []eventstore.RecordedEvent) error {
	n := len(evs)
	pos := make([]int64, n)
	types, cats, users, stores := make([]string, n), make([]string, n), make([]*string, n), make([]*string, n)
	occurred, recorded := make([]*time.Time, n), make([]time.Time, n)
	for i := range evs {
		e := &evs[i]
		pos[i], types[i], cats[i], recorded[i] = int64(e.Position), e.Type, Category(e.Stream), e.RecordedAt
		if e.Metadata.UserID != "" {
			users[i] = &e.Metadata.UserID
		}
		if e.Metadata.StoreID != "" {
			stores[i] = &e.Metadata.StoreID
		}
		if !e.Metadata.OccurredAt.IsZero() {
			occurred[i] = &e.Metadata.OccurredAt
		}
	}
	// A plain INSERT first: ON CONFLICT costs every row a probe of the primary key before its
	// insert and one more WAL record, for a conflict that only a concurrent checkpointer causes.
	// When it does (the page, or part of it, is indexed already), the page is written again
	// leaving those rows alone.
	const insert = `
		INSERT INTO audit_event_index (position, type, category, user_id, store_id, occurred_at, recorded_at)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])`
	_, err := db.Exec(ctx, insert, pos, types, cats, users, stores, occurred, recorded)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation
		_, err = db.Exec(ctx, insert+` ON CONFLICT (position) DO NOTHING`, pos, types, cats, users, stores, occurred, recorded)
	}
	if err != nil {
		return fmt.Errorf("audit event index: %w", err)
	}
	return nil
}

// indexWatermark is the highest indexed position: every event at or below it is indexed.
func indexWatermark(ctx context.Context, db querier) (eventstore.Position, error) {
	var w int64
	if err := db.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM audit_event_index`).Scan(&w); err != nil {
		return 0, fmt.Errorf("audit event index: %w", err)
	}
	return eventstore.Position(w), nil
}

// catchUpIndex indexes the events up to through that are not indexed yet (checkpoints made
// before indexing was enabled), so that the index always covers $all from its start.
func catchUpIndex(ctx context.Context, store eventstore.Store, db *pgxpool.Pool, through eventstore.Position) error {
	w, err := indexWatermark(ctx, db)
	if err != nil {
		return err
	}
	for w < through {
		evs, err := store.ReadAll(ctx, w, readPage, eventstore.Filter{})
		if err != nil {
			return fmt.Errorf("audit event index: %w", err)
		}
		if len(evs) == 0 {
			return nil
		}
		if err := writeIndex(ctx, db, evs); err != nil {
			return err
		}
		w = evs[len(evs)-1].Position
	}
	return nil
}
