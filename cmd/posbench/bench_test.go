package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readmodels"
	"github.com/odata-pos/pos/projections/reports"
)

// TestBenchAgainstInProcessAPI runs posbench for a few seconds at a low rate against the API
// in process with the projection runner as posd builds it (default intervals).
func TestBenchAgainstInProcessAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL and Redis")
	}
	env := apitest.New(t, apitest.Options{})
	runner, err := projections.New(projections.Config{Pool: env.DB, Store: env.Store,
		Projections: append(readmodels.All(env.API.Codec), reports.All()...), Registerer: prometheus.NewRegistry(), ID: "posbench-test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	})

	s, err := Run(context.Background(), Config{URL: env.Server.URL, AdminUser: apitest.AdminUsername, AdminPassword: apitest.AdminPassword,
		Rate: 10, Duration: 3 * time.Second, Registers: 3, LagEvery: 3, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	s.Print(&b)
	t.Log("\n" + b.String())
	if s.OK == 0 || s.AchievedRate <= 0 {
		t.Fatalf("no sales recorded: %+v", s)
	}
	for code, n := range s.Errors {
		if strings.HasPrefix(code, "5") || code == "0" {
			t.Errorf("%d × status %s", n, code)
		}
	}
	if len(s.Errors) > 0 {
		t.Errorf("errors: %v", s.Errors)
	}
	if s.LagSamples == 0 || s.LagMs.P50 <= 0 || s.LagMs.P99 < s.LagMs.P50 {
		t.Fatalf("no lag measured: %+v", s)
	}
	if s.LatencyMs.P50 <= 0 {
		t.Fatalf("no latency measured: %+v", s.LatencyMs)
	}
	if s.ClientCPUPerSale <= 0 {
		t.Fatalf("no CPU per sale measured: %v", s.ClientCPUPerSale)
	}
}

func TestRefusesRemoteURL(t *testing.T) {
	_, err := Run(context.Background(), Config{URL: "http://example.com", AdminPassword: "x", Rate: 1, Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v", err)
	}
}

// TestClosedLoopMeasuresBaselineAndStockCatchUp rings sales back to back from two registers
// with the stock policies and the projections running, measures the raw INSERT baseline in
// the same run and waits for the stock read model to show every sale.
func TestClosedLoopMeasuresBaselineAndStockCatchUp(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL and Redis")
	}
	env := apitest.New(t, apitest.Options{APILimit: auth.PerSecond(1000, 1000)})
	runner, err := projections.New(projections.Config{Pool: env.DB, Store: env.Store,
		Projections: readmodels.All(env.API.Codec), Registerer: prometheus.NewRegistry(), ID: "posbench-closed"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := runner.Run(ctx); err != nil {
			t.Errorf("runner: %v", err)
		}
	})
	wg.Go(func() {
		if err := policies.Run(ctx, policies.Config{Handler: env.API.Commands, Checkpoints: policies.NewMemoryCheckpoints()}); err != nil {
			t.Errorf("policies: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	// More products than a page of levels: the catch-up check must read every page.
	defer func(n int) { stockPageSize = n }(stockPageSize)
	stockPageSize = 2

	s, err := Run(context.Background(), Config{URL: env.Server.URL, AdminUser: apitest.AdminUsername, AdminPassword: apitest.AdminPassword,
		Clients: 2, Duration: 2 * time.Second, Products: 7, BaselineDB: pgtest.NewDatabase(t), StockCatchup: time.Minute, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	s.Print(&b)
	t.Log("\n" + b.String())
	if len(s.Errors) > 0 || s.OK == 0 || s.Registers != 2 {
		t.Fatalf("sales: ok %d, errors %v, registers %d", s.OK, s.Errors, s.Registers)
	}
	if s.Baseline == nil || s.Baseline.Inserts == 0 || s.RatioToRaw <= 0 {
		t.Fatalf("no baseline: %+v", s.Baseline)
	}
	if s.StockError != "" || s.StockCaughtUp <= 0 {
		t.Fatalf("stock catch-up not measured: %q %v", s.StockError, s.StockCaughtUp)
	}
	if s.ClientCPUPerSale <= 0 {
		t.Fatalf("no CPU per sale measured: %v", s.ClientCPUPerSale)
	}
}

// TestSalesTakeProductsInTurn: with more products than lines, consecutive sales take the next
// three products each (wrapping), pay exactly their prices, and only acknowledged sales count
// towards the stock the catch-up check waits for.
func TestSalesTakeProductsInTurn(t *testing.T) {
	f := &fleet{store: "s", products: []string{"p0", "p1", "p2", "p3", "p4"}, prices: []int64{1, 10, 100, 1000, 10000}}
	f.sold = make([]atomic.Int64, len(f.products))
	r := &register{id: "r", shift: "sh"}
	wantTaken := [][]int{{0, 1, 2}, {3, 4, 0}, {1, 2, 3}}
	wantTotal := []int64{111, 11001, 1110}
	for i := range wantTaken {
		body, taken := f.saleBody(r, "sale")
		if fmt.Sprint(taken) != fmt.Sprint(wantTaken[i]) {
			t.Fatalf("sale %d took %v, want %v", i, taken, wantTaken[i])
		}
		lines := body["lines"].([]map[string]any)
		for j, l := range lines {
			if l["product_id"] != f.products[wantTaken[i][j]] {
				t.Fatalf("sale %d line %d is %v", i, j, l["product_id"])
			}
		}
		paid := body["payments"].([]map[string]any)[0]["amount"].(map[string]any)["amount"]
		if paid != wantTotal[i] {
			t.Fatalf("sale %d pays %v, want %d", i, paid, wantTotal[i])
		}
		if i != 1 { // the second sale was not acknowledged
			f.acknowledged(taken)
		}
	}
	for p, want := range []int64{1, 2, 2, 1, 0} {
		if got := f.sold[p].Load(); got != want {
			t.Errorf("product %d sold %d, want %d", p, got, want)
		}
	}
}
