package inventory_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/internal/poll"
	"github.com/odata-pos/pos/projections/readmodels"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
)

func eur(a int64) map[string]any { return map[string]any{"amount": a, "currency": "EUR"} }

// TestNewStoreSellsIntoNegativeStock: a store created without allow_negative_stock sells goods
// it never received (the till rings up what the customer hands over); the level goes negative
// in GET /inventory and shows in the low-stock list. A store created with
// allow_negative_stock false still refuses, with a 422 naming the product, and writes nothing.
func TestNewStoreSellsIntoNegativeStock(t *testing.T) {
	env := apitest.New(t, apitest.Options{})
	readtest.Start(t, env.DB, env.Store, readmodels.All(env.API.Codec)...)
	runPolicies(t, env)
	admin := env.AdminToken
	post := func(path string, body map[string]any) map[string]any {
		t.Helper()
		return env.Must(http.StatusCreated, http.MethodPost, "/api/v1"+path, admin, body).Map(t)
	}
	// store creates a store with a register and an open shift: [store, register, shift].
	store := func(code string, extra map[string]any) [3]string {
		body := map[string]any{"code": code, "name": code, "currency": "EUR", "timezone": "Europe/Amsterdam"}
		for k, v := range extra {
			body[k] = v
		}
		id := post("/stores", body)["id"].(string)
		reg := post("/stores/"+id+"/registers", map[string]any{"code": "R1", "name": "Till"})["id"].(string)
		shift := uuid.NewString()
		post("/shifts", map[string]any{"id": shift, "register_id": reg, "opening_float": eur(0)})
		return [3]string{id, reg, shift}
	}
	post("/tax-codes", map[string]any{"code": "STD", "name": "Standard", "rate_bp": 2100})
	bread := post("/products", map[string]any{"sku": "BREAD", "name": "Bread", "price": eur(299), "tax_code": "STD", "track_stock": true})["id"].(string)
	sale := func(at [3]string) map[string]any {
		return map[string]any{"id": uuid.NewString(), "store_id": at[0], "register_id": at[1], "shift_id": at[2],
			"lines":    []map[string]any{{"id": uuid.NewString(), "product_id": bread, "quantity": 2}},
			"payments": []map[string]any{{"id": uuid.NewString(), "tender": "cash", "amount": eur(1000)}}, "complete": true}
	}

	// A new store: the setting defaults to allow, and the sale completes with nothing received.
	till := store("OPEN", nil)
	open := till[0]
	if s := env.Must(http.StatusOK, http.MethodGet, "/api/v1/stores/"+open, admin, nil).Map(t); s["allow_negative_stock"] != true {
		t.Fatalf("a new store's allow_negative_stock: %v", s["allow_negative_stock"])
	}
	if s := post("/sales", sale(till)); s["status"] != "completed" {
		t.Fatalf("sale in a new store: %v", s)
	}
	// The policy books the sale out of stock; then the read model shows the negative level.
	stockPath := "/api/v1/inventory/stock/" + open + "/" + bread
	var level *apitest.Response
	poll.Eventually(t, 30*time.Second, func() bool {
		level = env.Must(http.StatusOK, http.MethodGet, stockPath, admin, nil)
		return level.Map(t)["on_hand"] == -2.0
	}, func() string { return "the sale never left stock: " + string(level.Body) })
	head, err := env.Store.HeadPosition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	consistent := []string{"X-Consistent-With", fmt.Sprint(head)}
	var page struct {
		Items []struct {
			LocationID string  `json:"location_id"`
			ProductID  string  `json:"product_id"`
			OnHand     float64 `json:"on_hand"`
			LowStock   bool    `json:"low_stock"`
		} `json:"items"`
	}
	env.Must(http.StatusOK, http.MethodGet, "/api/v1/inventory?location_id="+open, admin, nil, consistent...).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].OnHand != -2 || !page.Items[0].LowStock {
		t.Fatalf("GET /inventory: %+v", page.Items)
	}
	env.Must(http.StatusOK, http.MethodGet, "/api/v1/inventory?low_stock=true", admin, nil, consistent...).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].LocationID != open || page.Items[0].ProductID != bread || page.Items[0].OnHand != -2 {
		t.Fatalf("low-stock list: %+v", page.Items)
	}

	// A store that chose to refuse: 422 insufficient_stock, and no sale is written.
	refused := sale(store("STRICT", map[string]any{"allow_negative_stock": false}))
	r := env.Do(http.MethodPost, "/api/v1/sales", admin, refused)
	if m := r.Map(t); r.Status != http.StatusUnprocessableEntity || m["code"] != "insufficient_stock" {
		t.Fatalf("sale in a refusing store: %d %s", r.Status, r.Body)
	}
	env.Must(http.StatusNotFound, http.MethodGet, "/api/v1/sales/"+refused["id"].(string), admin, nil)
}

// runPolicies runs the policies (a completed sale books its stock out) until t ends.
func runPolicies(t *testing.T, env *apitest.Env) {
	t.Helper()
	r, err := policies.New(policies.Config{Handler: env.API.Commands, Checkpoints: policies.NewMemoryCheckpoints()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}
