package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// RawInsertBaseline prepares, in the database at url, the bar the event store's benchmarks
// are set against: a table with a bigserial key filled by one plain INSERT of one row per
// autocommit transaction, over a pool of conns connections (closed with tb). It returns that
// insert.
func RawInsertBaseline(tb testing.TB, url string, conns int) func(ctx context.Context, stream, data string) error {
	tb.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.MaxConns = int32(conns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, `CREATE TABLE raw_baseline (id bigserial PRIMARY KEY, stream text, data jsonb)`); err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context, stream, data string) error {
		_, err := pool.Exec(ctx, `INSERT INTO raw_baseline (stream, data) VALUES ($1, $2)`, stream, data)
		return err
	}
}
