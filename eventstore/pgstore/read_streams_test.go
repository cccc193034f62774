package pgstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// TestReadStreamsPlanServesAGrownTable: the plan of ReadStreams is made once per connection,
// at its first call. Made while the tables are small, as in a new shop, it must still look up
// each stream by its key once they have grown: a scan of the whole streams or events table
// per read would cost milliseconds a sale after a few thousand sales, and a connection keeps
// its plan for as long as it lives.
func TestReadStreamsPlanServesAGrownTable(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	mustAppend(t, s, "order-1", eventstore.NoStream, events(3))
	mustAppend(t, s, "order-2", eventstore.NoStream, events(2))
	conn := rawConn(t, url)
	exec := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	read := func() {
		t.Helper()
		rows, err := conn.Query(ctx, pgstore.ReadStreamsSQL, []string{"order-1", "order-2", "order-none"}, []int64{1, 0, 0}, []int32{10, 1, 10})
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			ord, rev int64
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			vals, err := r.Values()
			if err != nil {
				return row{}, err
			}
			return row{vals[0].(int64), vals[5].(int64)}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []row{{1, 1}, {1, 2}, {2, 0}}
		if !slices.Equal(got, want) {
			t.Fatalf("read %v, want %v (ordinal, revision)", got, want)
		}
	}
	exec(`ANALYZE streams, events`)
	read() // the plan is made here, on tables of a few rows
	exec(`INSERT INTO streams (stream_id, revision) SELECT 'filler-' || i, -1 FROM generate_series(1, 20000) i`)
	exec(`ANALYZE streams`)
	scans := func() (seq int64) {
		t.Helper()
		exec(`SELECT pg_stat_force_next_flush()`)
		exec(`SELECT pg_stat_clear_snapshot()`)
		if err := conn.QueryRow(ctx, `SELECT sum(seq_scan) FROM pg_stat_user_tables WHERE relname IN ('streams', 'events')`).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		return seq
	}
	before := scans()
	for range 10 {
		read()
	}
	if after := scans(); after != before {
		t.Fatalf("10 reads on a connection whose plan was made on small tables scanned streams or events %d times in full", after-before)
	}
}
