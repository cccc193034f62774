package audit_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore/audit"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

var testKey = []byte("audit-test-key-0123456789abcdef-0123456789")

// env is a pgstore event store and a pool on the same fresh database.
type env struct {
	store *pgstore.Store
	db    *pgxpool.Pool
	url   string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	url := pgtest.NewDatabase(t)
	ctx := ctxT(t, 2*time.Minute)
	s, err := pgstore.Open(ctx, url, pgstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	db, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return &env{store: s, db: db, url: url}
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// fill appends perStream events to each of streams streams through append_events, batches of
// batch events, all in one server-side loop (one transaction: fast to set up big logs).
// Streams are interleaved in $all so that the log looks like a busy shop's.
func (e *env) fill(t testing.TB, prefix string, streams, perStream, batch int) {
	t.Helper()
	sql := fmt.Sprintf(`
DO $$
DECLARE r int; s int; b int := %[3]d; ids uuid[]; types text[]; data json[]; meta json[];
BEGIN
  FOR r IN 0..%[2]d-1 BY b LOOP
    FOR s IN 1..%[1]d LOOP
      SELECT array_agg(gen_random_uuid()), array_agg('sales.line_added.v1'::text),
             array_agg(json_build_object('sale_id', s, 'line', r + i, 'product', md5((s*r+i)::text),
                 'quantity', 1.5, 'unit_price', json_build_object('amount', 1999, 'currency', 'EUR'), 'note', 'Grüße "quoted" \n')::json),
             array_agg(json_build_object('correlation_id', md5(s::text), 'user_id', 'user-' || (s %% 7),
                 'store_id', 'store-1', 'occurred_at', to_char(now() - (i || ' minutes')::interval, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::json)
        INTO ids, types, data, meta
        FROM generate_series(1, least(b, %[2]d - r)) i;
      PERFORM append_events('%[4]s-' || s, -1, ids, types, data, meta);
    END LOOP;
  END LOOP;
END $$`, streams, perStream, batch, prefix)
	if _, err := e.db.Exec(ctxT(t, 30*time.Minute), sql); err != nil {
		t.Fatalf("fill: %v", err)
	}
}

func (e *env) checkpoint(t testing.TB, every int) audit.Checkpoint {
	t.Helper()
	cp, err := (&audit.Checkpointer{Store: e.store, DB: e.db, Key: testKey, Every: every, Index: true}).Extend(ctxT(t, 10*time.Minute))
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	return cp
}

func (e *env) verify(t testing.TB) audit.Report {
	t.Helper()
	rep, err := audit.Verify(ctxT(t, 10*time.Minute), e.store, e.db, testKey, audit.Options{StreamTable: true})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

func (e *env) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := e.db.Exec(ctxT(t, time.Minute), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// topCheckpoint is the highest stored checkpoint position (0: none).
func (e *env) topCheckpoint(t testing.TB) int64 {
	t.Helper()
	var top int64
	if err := e.db.QueryRow(ctxT(t, time.Minute), `SELECT coalesce(max(position), 0) FROM audit_checkpoints`).Scan(&top); err != nil {
		t.Fatal(err)
	}
	return top
}
