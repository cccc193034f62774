package credentials_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/internal/credentials"
	"github.com/odata-pos/pos/internal/pgtest"
)

// newStore returns a credential store on a new database, and its pool.
func newStore(t *testing.T) (*credentials.Store, *pgxpool.Pool) {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := credentials.New(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return s, pool
}

func TestCredentialStore(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t)
	if _, found, err := s.PasswordHash(ctx, "u1"); err != nil || found {
		t.Fatalf("unknown user: found=%v err=%v", found, err)
	}
	if err := s.SetPasswordHash(ctx, "u1", "hash-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPasswordHash(ctx, "u1", "hash-2'; DROP TABLE user_credentials;--"); err != nil {
		t.Fatal(err)
	}
	h, found, err := s.PasswordHash(ctx, "u1")
	if err != nil || !found || h != "hash-2'; DROP TABLE user_credentials;--" {
		t.Fatalf("hash = %q found=%v err=%v, want the latest hash verbatim", h, found, err)
	}
	if n, err := s.Count(ctx); err != nil || n != 1 {
		t.Fatalf("count = %d (err %v), want 1", n, err)
	}
	if _, err := credentials.New(ctx, pool); err != nil {
		t.Fatalf("second New on the same database: %v", err)
	}
}
