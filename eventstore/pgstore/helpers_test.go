package pgstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

// quietLogger drops the store's log lines (migrations) from test and benchmark output.
var quietLogger = slog.New(slog.DiscardHandler)

// newStore opens a store on a fresh database and closes it when the test ends.
func newStore(t testing.TB, opts pgstore.Options) (*pgstore.Store, string) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	if opts.Logger == nil {
		opts.Logger = quietLogger
	}
	s, err := pgstore.Open(ctxT(t, time.Minute), url, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, url
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// events makes n events with fresh IDs.
func events(n int) []eventstore.EventData {
	evs := make([]eventstore.EventData, n)
	for i := range evs {
		evs[i] = eventstore.EventData{
			ID:       uuid.New(),
			Type:     "test.happened.v1",
			Data:     json.RawMessage(fmt.Sprintf(`{"i": %d}`, i)),
			Metadata: eventstore.Metadata{CorrelationID: "c-1", UserID: "u-1"},
		}
	}
	return evs
}

func mustAppend(t testing.TB, s eventstore.Store, stream string, exp eventstore.ExpectedRevision, evs []eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctxT(t, 30*time.Second), stream, exp, evs)
	if err != nil {
		t.Fatalf("append to %s at %s: %v", stream, exp, err)
	}
	return res
}

// rawConn opens a plain connection to the test database, closed when the test ends.
func rawConn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctxT(t, time.Minute), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// appendArgs encodes events as the arguments of append_events (expected revision any).
func appendArgs(stream string, evs []eventstore.EventData) []any {
	ids := make([]uuid.UUID, len(evs))
	types := make([]string, len(evs))
	data := make([]string, len(evs))
	meta := make([]string, len(evs))
	for i, e := range evs {
		m, _ := json.Marshal(e.Metadata)
		ids[i], types[i], data[i], meta[i] = e.ID, e.Type, string(e.Data), string(m)
	}
	return []any{stream, int64(-1), ids, types, data, meta}
}

// beginHeldAppend starts a transaction on conn that appends evs (taking their positions) and
// leaves it open. It returns the position of the last event.
func beginHeldAppend(t testing.TB, conn *pgx.Conn, stream string, evs []eventstore.EventData) (pgx.Tx, eventstore.Position) {
	t.Helper()
	tx, pos, err := tryHeldAppend(ctxT(t, time.Minute), conn, stream, evs)
	if err != nil {
		t.Fatal(err)
	}
	return tx, pos
}

// tryHeldAppend is beginHeldAppend for goroutines other than the test's.
func tryHeldAppend(ctx context.Context, conn *pgx.Conn, stream string, evs []eventstore.EventData) (pgx.Tx, eventstore.Position, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("begin: %w", err)
	}
	var status string
	var rev, pos *int64
	if err := tx.QueryRow(ctx, `SELECT status, revision, position FROM append_events($1, $2, $3, $4, $5, $6)`,
		appendArgs(stream, evs)...).Scan(&status, &rev, &pos); err != nil {
		_ = tx.Rollback(ctx)
		return nil, 0, fmt.Errorf("held append: %w", err)
	}
	if status != "ok" || pos == nil {
		_ = tx.Rollback(ctx)
		return nil, 0, fmt.Errorf("held append: status %s", status)
	}
	return tx, eventstore.Position(*pos), nil
}

func positions(evs []eventstore.RecordedEvent) []eventstore.Position {
	out := make([]eventstore.Position, len(evs))
	for i, e := range evs {
		out[i] = e.Position
	}
	return out
}
