package policies_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/esdb"
	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

// onEveryStore runs test on each event store backend: in memory, PostgreSQL and the
// EventStoreDB emulator (a test double of the gRPC API; see esdbtest).
func onEveryStore(t *testing.T, test func(t *testing.T, s eventstore.Store)) {
	t.Run("memstore", func(t *testing.T) { test(t, memstore.New()) })
	t.Run("pgstore", func(t *testing.T) {
		s, err := pgstore.Open(context.Background(), pgtest.NewDatabase(t), pgstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		test(t, s)
	})
	t.Run("esdb", func(t *testing.T) {
		srv := esdbtest.New(t)
		s, err := esdb.Open(context.Background(), srv.URL(), esdb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		test(t, s)
	})
}
