package v1import_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/pgcheckpoint"
	"github.com/odata-pos/pos/internal/v1import"
)

// Once the stock policies have applied the imported sales and returns, every product's on
// hand is v1's products.stock.
func TestStockEqualsV1AfterThePolicies(t *testing.T) {
	src, sum := generate(t, 400)
	tg := newTarget(t)
	ctx := context.Background()
	rep, err := v1import.Import(ctx, tg.deps, src, v1import.Options{StoreCode: "MAD1"})
	if err != nil || !rep.OK() {
		t.Fatalf("import: %v, ok %v", err, rep.OK())
	}
	pool, err := pgxpool.New(ctx, tg.url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	cps, err := pgcheckpoint.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	// Each policy's checkpoint reaches the last event it handles.
	last := map[string]eventstore.Position{}
	for from := eventstore.Start; ; {
		page, err := tg.store.ReadAll(ctx, from, 1000, eventstore.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			switch e.Type {
			case sale.TypeSaleCompleted:
				last[policies.SaleStock] = e.Position
			case returns.TypeReturnRecorded:
				last[policies.ReturnStock] = e.Position
			}
		}
		from = page[len(page)-1].Position
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- policies.Run(runCtx, policies.Config{Handler: tg.deps.Handler, Checkpoints: cps}) }()
	deadline := time.Now().Add(2 * time.Minute)
	for _, p := range []string{policies.SaleStock, policies.ReturnStock} {
		for {
			cp, err := cps.Load(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if cp >= last[p] {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("policy %s did not reach %v (at %v)", p, last[p], cp)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	inv := commands.NewInventory(tg.deps.Handler, time.Now)
	store := uuid.MustParse(rep.StoreID)
	for id, want := range sum.Stock {
		lvl, err := inv.Level(ctx, store, v1import.ProductID(src.Identity, id))
		if err != nil {
			t.Fatal(err)
		}
		if lvl.OnHand != quantity.FromInt(want) {
			t.Errorf("product %d: on hand %s, v1 stock %d", id, lvl.OnHand, want)
		}
	}
}
