package deployment_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/internal/deployment"
	"github.com/odata-pos/pos/internal/pgtest"
)

func pool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// TestRedisPrefixIsStablePerDatabaseAndDiffersBetweenThem starts several replicas of one
// deployment at once (they must agree) and a second deployment (it must differ).
func TestRedisPrefixIsStablePerDatabaseAndDiffersBetweenThem(t *testing.T) {
	ctx := context.Background()
	a, b := pool(t), pool(t)
	prefixes := make([]string, 4)
	var wg sync.WaitGroup
	for i := range prefixes {
		wg.Go(func() {
			p, err := deployment.RedisPrefix(ctx, a, "")
			if err != nil {
				t.Error(err)
			}
			prefixes[i] = p
		})
	}
	wg.Wait()
	for _, p := range prefixes {
		if p != prefixes[0] || !strings.HasPrefix(p, "pos:") || len(p) != len("pos:")+16+1 {
			t.Fatalf("replicas of one deployment: %q", prefixes)
		}
	}
	other, err := deployment.RedisPrefix(ctx, b, "")
	if err != nil {
		t.Fatal(err)
	}
	if other == prefixes[0] {
		t.Fatalf("two deployments share the prefix %q", other)
	}
	if p, err := deployment.RedisPrefix(ctx, a, "shop-7"); err != nil || p != "shop-7:" {
		t.Fatalf("configured prefix = %q, %v", p, err)
	}
}
