package queries_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/projections/readmodels"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
)

// world is an API with the read models projected in-process and some master data.
type world struct {
	*apitest.Env
	storeA, storeB, regA, regB, coffee, tea string
	last                                    string // position of the last command
}

func start(t *testing.T) *world {
	t.Helper()
	env := apitest.New(t, apitest.Options{})
	readtest.Start(t, env.DB, env.Store, readmodels.All(env.API.Codec)...)
	w := &world{Env: env}
	w.storeA = w.post(t, "/stores", env.AdminToken, map[string]any{"code": "A", "name": "Alpha", "currency": "EUR", "timezone": "Europe/Paris"})
	w.storeB = w.post(t, "/stores", env.AdminToken, map[string]any{"code": "B", "name": "Beta", "currency": "EUR", "timezone": "Europe/Paris"})
	w.regA = w.post(t, "/stores/"+w.storeA+"/registers", env.AdminToken, map[string]any{"code": "R1", "name": "Till 1"})
	w.regB = w.post(t, "/stores/"+w.storeB+"/registers", env.AdminToken, map[string]any{"code": "R1", "name": "Till 1"})
	w.post(t, "/tax-codes", env.AdminToken, map[string]any{"code": "STD", "name": "Standard", "rate_bp": 2000})
	w.coffee = w.post(t, "/products", env.AdminToken, map[string]any{"sku": "BEV-1", "barcodes": []string{"4006381333931"}, "name": "Coffee",
		"category": "drinks", "price": eur(250), "tax_code": "STD", "track_stock": true, "low_stock_threshold": 5})
	w.tea = w.post(t, "/products", env.AdminToken, map[string]any{"sku": "BEV-2", "name": "Green tea", "category": "drinks",
		"price": eur(200), "tax_code": "STD", "track_stock": true})
	return w
}

func eur(a int64) map[string]any { return map[string]any{"amount": a, "currency": "EUR"} }

// post sends a command, expects 201 or 200, remembers its position and returns the ID.
func (w *world) post(t *testing.T, path, token string, body map[string]any) string {
	t.Helper()
	r := w.Do(http.MethodPost, "/api/v1"+path, token, body)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
	}
	var out struct {
		ID       string          `json:"id"`
		Position json.RawMessage `json:"position"`
	}
	r.JSON(t, &out)
	w.last = string(out.Position)
	return out.ID
}

type page struct {
	Items      []map[string]any `json:"items"`
	NextCursor string           `json:"next_cursor"`
}

// list GETs path consistent with the last command and expects 200.
func (w *world) list(t *testing.T, path, token string) page {
	t.Helper()
	r := w.Must(http.StatusOK, http.MethodGet, "/api/v1"+path, token, nil, "X-Consistent-With", w.last)
	var p page
	r.JSON(t, &p)
	return p
}

func field(p page, name string) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, fmt.Sprint(it[name]))
	}
	return out
}

func TestCatalogListsAndStoreScope(t *testing.T) {
	w := start(t)
	_, cashierA := w.CreateUser("cashier-a", []string{"cashier"}, []string{w.storeA})

	if got := field(w.list(t, "/products?q=cofee", w.AdminToken), "name"); strings.Join(got, ",") != "Coffee" {
		t.Fatalf("search cofee: %v", got)
	}
	if got := field(w.list(t, "/products?barcode=4006381333931", cashierA), "id"); len(got) != 1 || got[0] != w.coffee {
		t.Fatalf("barcode: %v", got)
	}
	if got := field(w.list(t, "/products?category=drinks&sort=-name&active=true", cashierA), "name"); strings.Join(got, ",") != "Green tea,Coffee" {
		t.Fatalf("category: %v", got)
	}
	if got := field(w.list(t, "/stores", w.AdminToken), "code"); strings.Join(got, ",") != "A,B" {
		t.Fatalf("stores as admin: %v", got)
	}
	if got := field(w.list(t, "/stores", cashierA), "id"); strings.Join(got, ",") != w.storeA {
		t.Fatalf("stores as cashier of A: %v", got)
	}
	if got := field(w.list(t, "/stores/"+w.storeA+"/registers", cashierA), "id"); strings.Join(got, ",") != w.regA {
		t.Fatalf("registers of A: %v", got)
	}
	r := w.Do(http.MethodGet, "/api/v1/stores/"+w.storeB+"/registers", cashierA, nil)
	if r.Status != http.StatusForbidden || r.Map(t)["code"] != "store_forbidden" {
		t.Fatalf("registers of B as cashier of A: %d %s", r.Status, r.Body)
	}
	if got := field(w.list(t, "/tax-codes", cashierA), "rate_bp"); strings.Join(got, ",") != "2000" {
		t.Fatalf("tax codes: %v", got)
	}
	users := w.list(t, "/users?sort=username", w.AdminToken)
	if got := field(users, "username"); strings.Join(got, ",") != "admin,cashier-a" {
		t.Fatalf("users: %v", got)
	}
	if r := w.Do(http.MethodGet, "/api/v1/users", cashierA, nil); r.Status != http.StatusForbidden {
		t.Fatalf("users as cashier: %d", r.Status)
	}
}

func TestSalesShiftsInventoryOverHTTP(t *testing.T) {
	w := start(t)
	_, cashierA := w.CreateUser("cashier-a", []string{"cashier"}, []string{w.storeA})
	_, cashierB := w.CreateUser("cashier-b", []string{"cashier"}, []string{w.storeB})
	shift := uuid.NewString()
	w.post(t, "/shifts", cashierA, map[string]any{"id": shift, "register_id": w.regA, "opening_float": eur(10000)})
	w.post(t, "/inventory/receipts", w.AdminToken, map[string]any{"id": uuid.NewString(), "location_id": w.storeA,
		"lines": []map[string]any{{"product_id": w.coffee, "quantity": 7.5}}})
	saleID, line := uuid.NewString(), uuid.NewString()
	w.post(t, "/sales", cashierA, map[string]any{"id": saleID, "store_id": w.storeA, "register_id": w.regA, "shift_id": shift,
		"lines":    []map[string]any{{"id": line, "product_id": w.coffee, "quantity": 2}},
		"payments": []map[string]any{{"id": uuid.NewString(), "tender": "cash", "amount": eur(1000)}}, "complete": true})

	sales := w.list(t, "/sales?store_id="+w.storeA+"&status=completed", cashierA)
	if len(sales.Items) != 1 {
		t.Fatalf("sales: %+v", sales.Items)
	}
	s := sales.Items[0]
	totals := s["totals"].(map[string]any)
	if s["id"] != saleID || s["receipt_number"] == nil || fmt.Sprint(totals["total"].(map[string]any)["amount"]) != "600" || // 2 × 250 + 20 % tax
		fmt.Sprint(totals["change"].(map[string]any)["amount"]) != "400" || s["cashier_id"] == "" {
		t.Fatalf("sale: %+v", s)
	}
	receipt := fmt.Sprint(s["receipt_number"])
	if got := field(w.list(t, "/sales?receipt_number="+receipt+"&register_id="+w.regA, w.AdminToken), "id"); strings.Join(got, ",") != saleID {
		t.Fatalf("by receipt: %v", got)
	}
	lines := w.list(t, "/sales/"+saleID+"/lines", cashierA)
	if len(lines.Items) != 1 || lines.Items[0]["id"] != line || fmt.Sprint(lines.Items[0]["quantity"]) != "2" || lines.Items[0]["tax"] == nil {
		t.Fatalf("lines: %+v", lines.Items)
	}
	if got := w.list(t, "/sales", cashierB); len(got.Items) != 0 {
		t.Fatalf("cashier of B sees: %+v", got.Items)
	}
	if got := w.list(t, "/sales/"+saleID+"/lines", cashierB); len(got.Items) != 0 {
		t.Fatalf("cashier of B sees lines: %+v", got.Items)
	}
	r := w.Do(http.MethodGet, "/api/v1/sales?store_id="+w.storeA, cashierB, nil)
	if r.Status != http.StatusForbidden || r.Map(t)["code"] != "store_forbidden" {
		t.Fatalf("sales of A as cashier of B: %d %s", r.Status, r.Body)
	}

	shifts := w.list(t, "/shifts?status=open", cashierA)
	if len(shifts.Items) != 1 || shifts.Items[0]["id"] != shift {
		t.Fatalf("shifts: %+v", shifts.Items)
	}
	if got := w.list(t, "/shifts", cashierB); len(got.Items) != 0 {
		t.Fatalf("cashier of B sees shifts: %+v", got.Items)
	}

	levels := w.list(t, "/inventory?location_id="+w.storeA+"&product_id="+w.coffee, cashierA)
	if len(levels.Items) != 1 {
		t.Fatalf("levels: %+v", levels.Items)
	}
	if l := levels.Items[0]; l["location_id"] != w.storeA || l["product_id"] != w.coffee || l["in_transit"] != 0.0 || l["low_stock"] == nil {
		t.Fatalf("level: %+v", l)
	}
	// Unfiltered, the cashier of A sees A's levels only.
	for _, l := range w.list(t, "/inventory", cashierA).Items {
		if l["location_id"] != w.storeA {
			t.Fatalf("cashier of A lists a level of %v", l["location_id"])
		}
	}
	raw := w.Must(http.StatusOK, http.MethodGet, "/api/v1/inventory?location_id="+w.storeA, cashierA, nil, "X-Consistent-With", w.last)
	if !strings.Contains(string(raw.Body), `"on_hand":7.5`) && !strings.Contains(string(raw.Body), `"on_hand":5.5`) {
		t.Fatalf("on_hand is not a decimal number: %s", raw.Body)
	}
	if r := w.Do(http.MethodGet, "/api/v1/inventory?location_id="+w.storeB, cashierA, nil); r.Status != http.StatusForbidden {
		t.Fatalf("levels of B as cashier of A: %d", r.Status)
	}
	if got := w.list(t, "/returns", cashierA); len(got.Items) != 0 {
		t.Fatalf("returns: %+v", got.Items)
	}
}

func TestPagesOverHTTP(t *testing.T) {
	w := start(t)
	for i := range 5 {
		w.post(t, "/products", w.AdminToken, map[string]any{"sku": fmt.Sprintf("P-%d", i), "name": fmt.Sprintf("Product %d", i),
			"category": "misc", "price": eur(100), "tax_code": "STD"})
	}
	seen := map[string]bool{}
	path := "/products?category=misc&sort=sku&limit=2"
	for n := 0; ; n++ {
		p := w.list(t, path, w.AdminToken)
		for _, id := range field(p, "id") {
			if seen[id] {
				t.Fatalf("product %s seen twice", id)
			}
			seen[id] = true
		}
		if p.NextCursor == "" {
			if n != 2 || len(p.Items) != 1 {
				t.Fatalf("last page %d has %d items", n, len(p.Items))
			}
			break
		}
		path = "/products?category=misc&sort=sku&limit=2&cursor=" + p.NextCursor
	}
	if len(seen) != 5 {
		t.Fatalf("saw %d products", len(seen))
	}
}

func TestBadFilters(t *testing.T) {
	w := start(t)
	for _, c := range []struct{ path, field string }{
		{"/sales?store_id=nope", "store_id"},
		{"/sales?status=lost", "status"},
		{"/sales?limit=0", "limit"},
		{"/sales?limit=501", "limit"},
		{"/sales?cursor=zzz", "cursor"},
		{"/sales?sort=colour", "sort"},
		{"/sales?from=yesterday", "from"},
		{"/sales?from=2025-03-02&to=2025-03-01", "from"},
		{"/sales?receipt_number=-1", "receipt_number"},
		{"/sales?store=x", "store"},
		{"/products?active=maybe", "active"},
		{"/inventory?low_stock=1x", "low_stock"},
		{"/inventory?location_id=x", "location_id"},
		{"/users?role=boss", "role"},
		{"/shifts?status=ajar", "status"},
		{"/returns?no_receipt=2", "no_receipt"},
	} {
		r := w.Do(http.MethodGet, "/api/v1"+c.path, w.AdminToken, nil)
		if r.Status != http.StatusBadRequest || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s", c.path, r.Status, r.Body)
			continue
		}
		if !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%s: problem does not name %s: %s", c.path, c.field, r.Body)
		}
	}
	r := w.Do(http.MethodGet, "/api/v1/sales", w.AdminToken, nil, "X-Consistent-With", "soon")
	if r.Status != http.StatusBadRequest {
		t.Errorf("bad X-Consistent-With: %d %s", r.Status, r.Body)
	}
	p := w.list(t, "/products?limit=1&sort=name", w.AdminToken)
	r = w.Do(http.MethodGet, "/api/v1/products?sort=sku&cursor="+p.NextCursor, w.AdminToken, nil)
	if r.Status != http.StatusBadRequest {
		t.Errorf("cursor of another sort: %d %s", r.Status, r.Body)
	}
}

func TestConsistencyTimeout(t *testing.T) {
	w := start(t)
	w.list(t, "/products", w.AdminToken) // the read model caught up with the fixtures
	t0 := time.Now()
	r := w.Do(http.MethodGet, "/api/v1/products", w.AdminToken, nil, "X-Consistent-With", "999999999")
	if r.Status != http.StatusServiceUnavailable || r.Map(t)["code"] != "consistency_timeout" {
		t.Fatalf("far position: %d %s", r.Status, r.Body)
	}
	if d := time.Since(t0); d < 4*time.Second || d > 15*time.Second {
		t.Fatalf("answered after %v, want about 5 s", d)
	}
}
