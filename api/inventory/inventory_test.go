package inventory_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
)

type fixture struct {
	t          *testing.T
	env        *apitest.Env
	a, b, tea  uuid.UUID // stores a (no negative stock) and b (negative allowed); a product
	soap       uuid.UUID
	adminToken string
}

func sysCmd(id string) commands.Context {
	return commands.Context{ID: id, UserID: "fixture", OccurredAt: time.Now()}
}

// newFixture writes stores and products straight through the command handlers (their routes
// are another area).
func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := apitest.New(t, apitest.Options{})
	f := &fixture{t: t, env: env, a: uuid.New(), b: uuid.New(), tea: uuid.New(), soap: uuid.New(), adminToken: env.AdminToken}
	ctx, h := context.Background(), env.API.Commands
	for i, id := range []uuid.UUID{f.a, f.b} {
		st := store.DefaultSettings()
		st.AllowNegativeStock = i == 1
		if _, err := commands.NewStores(h, time.Now).Create(ctx, sysCmd("store-"+id.String()), store.CreateStore{StoreID: id, Code: "S" + id.String()[:4],
			Name: "Store", Currency: "EUR", Timezone: "UTC", Settings: st}); err != nil {
			t.Fatal(err)
		}
	}
	cat := commands.NewCatalog(h, time.Now)
	if _, err := cat.CreateTaxCode(ctx, sysCmd("tax"), taxcode.CreateTaxCode{TaxCodeID: uuid.New(), Code: "STD", Name: "Std", RateBP: 2100}); err != nil {
		t.Fatal(err)
	}
	for sku, id := range map[string]uuid.UUID{"TEA": f.tea, "SOAP": f.soap} {
		if _, err := cat.CreateProduct(ctx, sysCmd(sku), catalog.CreateProduct{ProductID: id, SKU: sku, Name: sku, Price: money.New(100, "EUR"), TaxCode: "STD", TrackStock: true}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

type level struct {
	OnHand    float64 `json:"on_hand"`
	InTransit float64 `json:"in_transit"`
}

func (f *fixture) level(loc, product uuid.UUID) level {
	f.t.Helper()
	var out level
	f.env.Must(http.StatusOK, http.MethodGet, "/api/v1/inventory/stock/"+loc.String()+"/"+product.String(), f.adminToken, nil).JSON(f.t, &out)
	return out
}

func (f *fixture) post(want int, path string, body any) map[string]any {
	f.t.Helper()
	return f.env.Must(want, http.MethodPost, "/api/v1/inventory/"+path, f.adminToken, body).Map(f.t)
}

func lines(l ...map[string]any) []map[string]any { return l }

func TestReceiptsAdjustmentsAndCounts(t *testing.T) {
	f := newFixture(t)
	rid := uuid.New()
	receipt := map[string]any{"id": rid, "location_id": f.a, "lines": lines(
		map[string]any{"product_id": f.tea, "quantity": 12, "unit_cost": map[string]any{"amount": 50, "currency": "EUR"}},
		map[string]any{"product_id": f.soap, "quantity": "2.5"})}
	f.post(http.StatusCreated, "receipts", receipt)
	f.post(http.StatusCreated, "receipts", receipt) // a retry writes nothing more
	if l := f.level(f.a, f.tea); l.OnHand != 12 {
		t.Fatalf("tea %+v", l)
	}
	if l := f.level(f.a, f.soap); l.OnHand != 2.5 {
		t.Fatalf("soap %+v", l)
	}
	adj := f.post(http.StatusCreated, "adjustments", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(
		map[string]any{"product_id": f.tea, "delta": -2, "reason": "damage"})})
	if ln := adj["lines"].([]any)[0].(map[string]any); ln["on_hand"] != 10.0 || ln["reason"] != "damage" {
		t.Fatalf("adjustment %v", adj)
	}
	// No reason code, or below zero where store a forbids it: refused, nothing written.
	r := f.env.Do(http.MethodPost, "/api/v1/inventory/adjustments", f.adminToken, map[string]any{"id": uuid.New(), "location_id": f.a,
		"lines": lines(map[string]any{"product_id": f.tea, "delta": -1, "reason": "lost"})})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "lines[0].reason") {
		t.Fatalf("bad reason: %d %s", r.Status, r.Body)
	}
	r = f.env.Do(http.MethodPost, "/api/v1/inventory/adjustments", f.adminToken, map[string]any{"id": uuid.New(), "location_id": f.a,
		"lines": lines(map[string]any{"product_id": f.soap, "delta": -1, "reason": "theft"}, map[string]any{"product_id": f.tea, "delta": -11, "reason": "theft"})})
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "insufficient_stock") {
		t.Fatalf("negative: %d %s", r.Status, r.Body)
	}
	if l := f.level(f.a, f.soap); l.OnHand != 2.5 {
		t.Fatalf("a refused document wrote a line: soap %+v", l)
	}
	// Store b allows negative stock.
	f.post(http.StatusCreated, "adjustments", map[string]any{"id": uuid.New(), "location_id": f.b, "lines": lines(
		map[string]any{"product_id": f.tea, "delta": -3, "reason": "correction"})})
	if l := f.level(f.b, f.tea); l.OnHand != -3 {
		t.Fatalf("b tea %+v", l)
	}
	// A count records the variance; on hand is the count plus the movements since.
	cnt := f.post(http.StatusCreated, "counts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(
		map[string]any{"product_id": f.tea, "counted": 9})})
	ln := cnt["lines"].([]any)[0].(map[string]any)
	if ln["expected"] != 10.0 || ln["counted"] != 9.0 || ln["variance"] != -1.0 {
		t.Fatalf("count %v", cnt)
	}
	f.post(http.StatusCreated, "receipts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "quantity": 1})})
	if l := f.level(f.a, f.tea); l.OnHand != 10 {
		t.Fatalf("after count and receipt %+v", l)
	}
}

func TestTransferIsInTransitBetweenLegsAndNetsToZero(t *testing.T) {
	f := newFixture(t)
	f.post(http.StatusCreated, "receipts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "quantity": 10})})
	tid := uuid.New()
	body := map[string]any{"id": tid, "from_location_id": f.a, "to_location_id": f.b, "lines": lines(map[string]any{"product_id": f.tea, "quantity": 4})}
	out := f.post(http.StatusCreated, "transfers", body)
	if out["status"] != "in_transit" {
		t.Fatalf("dispatch %v", out)
	}
	f.post(http.StatusCreated, "transfers", body) // retry
	a, b := f.level(f.a, f.tea), f.level(f.b, f.tea)
	if a.OnHand != 6 || a.InTransit != 4 || b.OnHand != 0 || a.OnHand+b.OnHand+a.InTransit != 10 {
		t.Fatalf("in transit: a %+v b %+v", a, b)
	}
	// More than is left cannot leave store a.
	r := f.env.Do(http.MethodPost, "/api/v1/inventory/transfers", f.adminToken, map[string]any{"id": uuid.New(), "from_location_id": f.a,
		"to_location_id": f.b, "lines": lines(map[string]any{"product_id": f.tea, "quantity": 7})})
	if r.Status != http.StatusConflict {
		t.Fatalf("too much: %d %s", r.Status, r.Body)
	}
	rec := f.post(http.StatusOK, "transfers/"+tid.String()+"/receive", nil)
	if rec["status"] != "received" {
		t.Fatalf("receive %v", rec)
	}
	f.post(http.StatusOK, "transfers/"+tid.String()+"/receive", nil) // again: nothing more
	a, b = f.level(f.a, f.tea), f.level(f.b, f.tea)
	if a.OnHand != 6 || a.InTransit != 0 || b.OnHand != 4 || a.OnHand+b.OnHand != 10 {
		t.Fatalf("received: a %+v b %+v", a, b)
	}
	f.env.Must(http.StatusNotFound, http.MethodPost, "/api/v1/inventory/transfers/"+uuid.NewString()+"/receive", f.adminToken, nil)
	f.env.Must(http.StatusOK, http.MethodGet, "/api/v1/inventory/transfers/"+tid.String(), f.adminToken, nil)
}

func TestMalformedInventoryRequestsAreClientErrors(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		path string
		body any
	}{
		{"receipts", "{"},
		{"receipts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "quantity": 1, "delta": 1})}},
		{"receipts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "quantity": 1.0001})}},
		{"receipts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "quantity": 1e40})}},
		{"receipts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "quantity": -1})}},
		{"receipts", map[string]any{"id": uuid.New(), "location_id": uuid.New(), "lines": lines(map[string]any{"product_id": f.tea, "quantity": 1})}},
		{"receipts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": uuid.New(), "quantity": 1})}},
		{"receipts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "quantity": 1}, map[string]any{"product_id": f.tea, "quantity": 1})}},
		{"receipts", map[string]any{"id": "nope", "location_id": f.a}},
		{"adjustments", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "delta": 0, "reason": "other"})}},
		{"counts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "counted": -1})}},
		{"counts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": []any{}}},
		{"transfers", map[string]any{"id": uuid.New(), "from_location_id": f.a, "to_location_id": f.a, "lines": lines(map[string]any{"product_id": f.tea, "quantity": 1})}},
		{"transfers", map[string]any{"id": uuid.New(), "from_location_id": f.a, "to_location_id": uuid.New(), "lines": lines(map[string]any{"product_id": f.tea, "quantity": 1})}},
		{"transfers", []any{1, 2}},
	}
	for i, c := range cases {
		r := f.env.Do(http.MethodPost, "/api/v1/inventory/"+c.path, f.adminToken, c.body)
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("case %d %s: %d %s", i, c.path, r.Status, r.Body)
		}
	}
	for _, q := range []string{"/x/y", "/" + f.a.String() + "/y", "/" + f.a.String()} {
		if r := f.env.Do(http.MethodGet, "/api/v1/inventory/stock"+q, f.adminToken, nil); r.Status < 400 || r.Status >= 500 {
			t.Errorf("GET %q: %d", q, r.Status)
		}
	}
}

// TestStockLevelReadsTheWriteSide reads one level right after a write (no projection lag), with
// its stream revision as ETag, and keeps it to the caller's stores.
func TestStockLevelReadsTheWriteSide(t *testing.T) {
	f := newFixture(t)
	f.post(http.StatusCreated, "receipts", map[string]any{"id": uuid.New(), "location_id": f.a, "lines": lines(
		map[string]any{"product_id": f.tea, "quantity": 3})})
	path := "/api/v1/inventory/stock/" + f.a.String() + "/" + f.tea.String()
	r := f.env.Must(http.StatusOK, http.MethodGet, path, f.adminToken, nil)
	m := r.Map(t)
	if m["location_id"] != f.a.String() || m["product_id"] != f.tea.String() || m["on_hand"] != 3.0 || m["in_transit"] != 0.0 || m["low_stock"] != false {
		t.Fatalf("level %v", m)
	}
	if want := fmt.Sprintf(`"%v"`, m["revision"]); r.Header.Get("ETag") != want {
		t.Fatalf("ETag %q, want %s", r.Header.Get("ETag"), want)
	}
	// Nothing ever moved: zero stock, no stream to name in an ETag.
	r = f.env.Must(http.StatusOK, http.MethodGet, "/api/v1/inventory/stock/"+f.b.String()+"/"+f.tea.String(), f.adminToken, nil)
	if m := r.Map(t); m["on_hand"] != 0.0 || r.Header.Get("ETag") != "" {
		t.Fatalf("level never moved: %v, ETag %q", m, r.Header.Get("ETag"))
	}
	_, cashierB := f.env.CreateUser("cashier-b", []string{"cashier"}, []string{f.b.String()})
	if r := f.env.Do(http.MethodGet, path, cashierB, nil); r.Status != http.StatusForbidden {
		t.Fatalf("level of store a as a cashier of b: %d %s", r.Status, r.Body)
	}
}
