package pgsnapshot_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/internal/pgsnapshot"
	"github.com/odata-pos/pos/internal/pgtest"
)

func newStore(t *testing.T) (*pgsnapshot.Store, *pgxpool.Pool) {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := pgsnapshot.New(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return s, pool
}

func TestSnapshotsRoundTripPerStreamAndKind(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	if _, ok, err := s.LoadSnapshot(ctx, "register-a", "register.v1"); ok || err != nil {
		t.Fatalf("fresh store: ok=%v err=%v", ok, err)
	}
	want := commands.Snapshot{Stream: "register-a", Kind: "register.v1", Revision: 100, Position: 12345, EventID: uuid.New(), State: []byte(`{"last_receipt":98}`)}
	if err := s.SaveSnapshot(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.LoadSnapshot(ctx, "register-a", "register.v1")
	if err != nil || !ok {
		t.Fatalf("load: ok=%v err=%v", ok, err)
	}
	if got.Revision != want.Revision || got.Position != want.Position || got.EventID != want.EventID || !bytes.Equal(got.State, want.State) || got.Stream != want.Stream || got.Kind != want.Kind {
		t.Fatalf("loaded %+v, want %+v", got, want)
	}
	for _, other := range [][2]string{{"register-a", "register.v2"}, {"register-b", "register.v1"}} {
		if _, ok, err := s.LoadSnapshot(ctx, other[0], other[1]); ok || err != nil {
			t.Fatalf("%v: ok=%v err=%v, want no snapshot", other, ok, err)
		}
	}
	// A second store on the same table (a restarted process) sees it; New is idempotent.
	s2, err := pgsnapshot.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := s2.LoadSnapshot(ctx, "register-a", "register.v1"); !ok || got.Revision != 100 {
		t.Fatalf("after a restart: %+v %v", got, ok)
	}
	big := want
	big.Revision = 1 << 63
	if err := s.SaveSnapshot(ctx, big); err == nil {
		t.Fatal("a revision beyond bigint must be refused")
	}
}

// TestSnapshotsNeverMoveBack: replicas saving snapshots of one stream at once keep the latest.
func TestSnapshotsNeverMoveBack(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			rev := uint64((i * 37) % 50)
			if err := s.SaveSnapshot(ctx, commands.Snapshot{Stream: "register-x", Kind: "k", Revision: rev, Position: 1, EventID: uuid.New(), State: []byte("{}")}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, ok, err := s.LoadSnapshot(ctx, "register-x", "k")
	if err != nil || !ok || got.Revision != 49 {
		t.Fatalf("after racing saves: revision %d ok=%v err=%v, want 49", got.Revision, ok, err)
	}
	if err := s.SaveSnapshot(ctx, commands.Snapshot{Stream: "register-x", Kind: "k", Revision: 10, Position: 1, EventID: uuid.New(), State: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.LoadSnapshot(ctx, "register-x", "k"); got.Revision != 49 {
		t.Fatalf("an older snapshot replaced the latest: revision %d", got.Revision)
	}
}
