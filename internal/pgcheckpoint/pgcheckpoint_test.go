package pgcheckpoint_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/pgcheckpoint"
	"github.com/odata-pos/pos/internal/pgtest"
)

var _ policies.CheckpointStore = (*pgcheckpoint.Store)(nil)

func TestCheckpointsPersistAndNeverMoveBack(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := pgcheckpoint.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.Load(ctx, "a"); err != nil || p != eventstore.Start {
		t.Fatalf("fresh: %d %v", p, err)
	}
	for _, p := range []eventstore.Position{5, 42, 7} {
		if err := s.Save(ctx, "a", p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Save(ctx, "b", 3); err != nil {
		t.Fatal(err)
	}
	// A second store on the same table (a restarted process) sees the same checkpoints.
	s2, err := pgcheckpoint.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s2.Load(ctx, "a"); err != nil || p != 42 {
		t.Fatalf("a: %d %v, want 42", p, err)
	}
	if p, err := s2.Load(ctx, "b"); err != nil || p != 3 {
		t.Fatalf("b: %d %v, want 3", p, err)
	}
	if err := s.Save(ctx, "c", eventstore.Position(1<<63)); err == nil {
		t.Fatal("a position beyond bigint must be refused")
	}
}
