package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/projections/readmodels"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/reports"
)

func oaEUR(a int64) map[string]any { return map[string]any{"amount": a, "currency": "EUR"} }

// oaID returns the "id" of a JSON answer.
func oaID(t *testing.T, r *apitest.Response) string {
	t.Helper()
	id, _ := r.Map(t)["id"].(string)
	if id == "" {
		t.Fatalf("no id in %s", r.Body)
	}
	return id
}

// oaAmount returns the amount of the money at key (one level of nesting with a dot).
func oaAmount(t *testing.T, r *apitest.Response, key string) int64 {
	t.Helper()
	m := r.Map(t)
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		m, _ = m[p].(map[string]any)
	}
	money, _ := m[parts[len(parts)-1]].(map[string]any)
	a, ok := money["amount"].(float64)
	if !ok {
		t.Fatalf("no money %s in %s", key, r.Body)
	}
	return int64(a)
}

// TestOpenAPIRequestsAndResponsesMatchTheHandlers drives a day of a store through the real
// API — every area, audit included — and checks each request against api/openapi.yaml and each answer
// (status, headers, body) against it, errors included: the document is true to the handlers,
// not only to the paths.
func TestOpenAPIRequestsAndResponsesMatchTheHandlers(t *testing.T) {
	// One admin drives the whole day faster than a person would: the API limit (tested in
	// api/auth and TestWithRedisDown…) is lifted so that it cannot answer 429 here.
	env := apitest.New(t, apitest.Options{APILimit: auth.PerSecond(100000, 100000)})
	readtest.Start(t, env.DB, env.Store, readmodels.All(env.API.Codec)...)
	readtest.Start(t, env.DB, env.Store, reports.All()...)
	c := newContract(t, env)
	admin := env.AdminToken
	const post, get = http.MethodPost, http.MethodGet

	// auth
	var pair struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
	}
	c.do(200, post, "/api/v1/auth/login", "", map[string]any{"username": apitest.AdminUsername, "password": apitest.AdminPassword}).JSON(t, &pair)
	c.do(200, post, "/api/v1/auth/refresh", "", map[string]any{"refresh_token": pair.Refresh}).JSON(t, &pair)
	c.do(200, get, "/api/v1/auth/me", pair.Access, nil)
	c.do(204, post, "/api/v1/auth/logout", pair.Access, nil)
	c.do(401, get, "/api/v1/auth/me", pair.Access, nil)
	c.do(401, post, "/api/v1/auth/login", "", map[string]any{"username": "nobody", "password": "wrong-password"})
	c.do(200, get, "/api/v1/openapi.yaml", "", nil)

	// stores, tax codes, products
	store := oaID(t, c.do(201, post, "/api/v1/stores", admin, map[string]any{"code": "A", "name": "Alpha", "currency": "EUR",
		"timezone": "Europe/Amsterdam", "prices_include_tax": true, "rounding": "half_up"}, "Idempotency-Key", "store-a"))
	c.do(201, post, "/api/v1/stores", admin, map[string]any{"code": "A", "name": "Alpha", "currency": "EUR",
		"timezone": "Europe/Amsterdam", "prices_include_tax": true, "rounding": "half_up"}, "Idempotency-Key", "store-a") // replayed
	c.do(422, post, "/api/v1/stores", admin, map[string]any{"code": "Z", "name": "Zeta", "currency": "EUR",
		"timezone": "Europe/Amsterdam"}, "Idempotency-Key", "store-a")
	storeB := oaID(t, c.do(201, post, "/api/v1/stores", admin, map[string]any{"code": "B", "name": "Beta", "currency": "EUR", "timezone": "Europe/Paris"}))
	c.do(200, get, "/api/v1/stores/"+store, admin, nil)
	c.do(200, post, "/api/v1/stores/"+store+"/settings", admin, map[string]any{"allow_negative_stock": true,
		"cashier_limits": map[string]any{"max_discount_bp": 1000, "max_refund": oaEUR(5000)}, "cash_tolerance": oaEUR(100)})
	reg := oaID(t, c.do(201, post, "/api/v1/stores/"+store+"/registers", admin, map[string]any{"code": "R1", "name": "Till 1"}))
	c.do(200, get, "/api/v1/stores/"+store+"/registers/"+reg, admin, nil)

	tax := oaID(t, c.do(201, post, "/api/v1/tax-codes", admin, map[string]any{"code": "STD", "name": "Standard", "rate_bp": 2100}))
	c.do(200, get, "/api/v1/tax-codes/"+tax, admin, nil)
	c.do(200, post, "/api/v1/tax-codes/"+tax+"/rate", admin, map[string]any{"rate_bp": 2100, "effective_at": time.Now().Add(48 * time.Hour).UTC()})
	productBody := map[string]any{"sku": "COF-1", "barcodes": []string{"4006381333931"}, "name": "Coffee", "category": "drinks",
		"price": oaEUR(250), "cost": oaEUR(100), "tax_code": "STD", "track_stock": true, "low_stock_threshold": 5}
	coffee := oaID(t, c.do(201, post, "/api/v1/products", admin, productBody))
	c.do(409, post, "/api/v1/products", admin, productBody) // the SKU is taken
	apples := oaID(t, c.do(201, post, "/api/v1/products", admin, map[string]any{"sku": "APL-1", "name": "Apples", "category": "fruit",
		"price": oaEUR(199), "tax_code": "STD", "track_stock": true, "sold_by_weight": true}))
	p := c.do(200, get, "/api/v1/products/"+coffee, admin, nil)
	c.do(200, post, "/api/v1/products/"+coffee+"/price", admin, map[string]any{"price": oaEUR(260)}, "If-Match", p.Header.Get("ETag"))
	c.do(412, post, "/api/v1/products/"+coffee+"/price", admin, map[string]any{"price": oaEUR(270)}, "If-Match", p.Header.Get("ETag"))
	c.do(200, post, "/api/v1/products/"+apples+"/deactivate", admin, map[string]any{"reason": "out of season"})
	c.do(200, post, "/api/v1/products/"+apples+"/reactivate", admin, nil)

	// users
	maria := oaID(t, c.do(201, post, "/api/v1/users", admin, map[string]any{"username": "maria", "password": "user-password-1",
		"roles": []string{"manager"}, "store_ids": []string{store}}))
	c.do(200, get, "/api/v1/users/"+maria, admin, nil)
	c.do(200, post, "/api/v1/users/"+maria+"/roles", admin, map[string]any{"roles": []string{"manager", "cashier"}})
	c.do(200, post, "/api/v1/users/"+maria+"/stores", admin, map[string]any{"store_ids": []string{store, storeB}})
	c.do(200, post, "/api/v1/users/"+maria+"/disable", admin, map[string]any{"reason": "holiday"})
	c.do(200, post, "/api/v1/users/"+maria+"/enable", admin, nil)
	c.do(200, post, "/api/v1/users/"+maria+"/disable", admin, nil)
	c.do(200, post, "/api/v1/users/"+maria+"/enable", admin, nil)
	c.do(200, post, "/api/v1/users/"+maria+"/password", admin, map[string]any{"password": "user-password-1"})
	_, cashier := env.CreateUser("carl", []string{"cashier"}, []string{store})
	c.do(403, get, "/api/v1/users", cashier, nil)

	// shifts and inventory
	shift := uuid.NewString()
	c.do(201, post, "/api/v1/shifts", cashier, map[string]any{"id": shift, "register_id": reg, "opening_float": oaEUR(10000)})
	c.do(201, post, "/api/v1/shifts/"+shift+"/cash-movements", cashier, map[string]any{"id": uuid.New(), "type": "paid_in",
		"amount": oaEUR(500), "reason": "change"})
	c.do(201, post, "/api/v1/inventory/receipts", admin, map[string]any{"id": uuid.New(), "location_id": store,
		"lines": []any{map[string]any{"product_id": coffee, "quantity": 20, "unit_cost": oaEUR(100)}, map[string]any{"product_id": apples, "quantity": 12.5}}})
	c.do(201, post, "/api/v1/inventory/adjustments", admin, map[string]any{"id": uuid.New(), "location_id": store,
		"lines": []any{map[string]any{"product_id": coffee, "delta": -1, "reason": "damage"}}})
	c.do(201, post, "/api/v1/inventory/counts", admin, map[string]any{"id": uuid.New(), "location_id": store,
		"lines": []any{map[string]any{"product_id": coffee, "counted": 18}}})
	transfer := uuid.NewString()
	c.do(201, post, "/api/v1/inventory/transfers", admin, map[string]any{"id": transfer, "from_location_id": store, "to_location_id": storeB,
		"lines": []any{map[string]any{"product_id": coffee, "quantity": 2}}})
	c.do(200, get, "/api/v1/inventory/transfers/"+transfer, admin, nil)
	c.do(200, post, "/api/v1/inventory/transfers/"+transfer+"/receive", admin, nil)
	c.do(200, get, "/api/v1/inventory/stock/"+store+"/"+coffee, admin, nil)

	// sales: one shot, step by step, and one discounted with a manager's approval and voided
	sale, line := uuid.NewString(), uuid.NewString()
	s := c.do(201, post, "/api/v1/sales", cashier, map[string]any{"id": sale, "store_id": store, "register_id": reg, "shift_id": shift,
		"lines":    []any{map[string]any{"id": line, "product_id": coffee, "quantity": 2}, map[string]any{"id": uuid.New(), "product_id": apples, "quantity": json.Number("0.375")}},
		"payments": []any{map[string]any{"id": uuid.New(), "tender": "cash", "amount": oaEUR(2000)}}, "complete": true})
	if st := s.Map(t)["status"]; st != "completed" {
		t.Fatalf("one-shot sale %v: %s", st, s.Body)
	}
	c.do(200, get, "/api/v1/sales/"+sale, cashier, nil)
	// a batch: one sale recorded, one refused on its own
	c.do(200, post, "/api/v1/sales/batch", cashier, map[string]any{"sales": []any{
		map[string]any{"id": uuid.NewString(), "store_id": store, "register_id": reg, "shift_id": shift, "complete": true,
			"lines":    []any{map[string]any{"id": uuid.New(), "product_id": coffee, "quantity": 1}},
			"payments": []any{map[string]any{"id": uuid.New(), "tender": "cash", "amount": oaEUR(2000)}}},
		map[string]any{"id": uuid.NewString(), "store_id": store, "register_id": reg, "shift_id": shift,
			"lines": []any{map[string]any{"id": uuid.New(), "product_id": uuid.New(), "quantity": 1}}}}})
	c.malformed(400, post, "/api/v1/sales/batch", cashier, map[string]any{"sales": []any{}})

	open := uuid.NewString()
	c.do(201, post, "/api/v1/sales", cashier, map[string]any{"id": open, "store_id": store, "register_id": reg, "shift_id": shift})
	c.do(200, post, "/api/v1/sales/"+open+"/lines", cashier, map[string]any{"id": uuid.New(), "product_id": coffee, "quantity": 3})
	extra := uuid.NewString()
	c.do(200, post, "/api/v1/sales/"+open+"/lines", cashier, map[string]any{"id": extra, "product_id": apples, "quantity": 1.25})
	c.do(200, http.MethodDelete, "/api/v1/sales/"+open+"/lines/"+extra, cashier, nil)
	due := oaAmount(t, c.do(200, post, "/api/v1/sales/"+open+"/discounts", cashier, map[string]any{"percent_bp": 500}), "totals.due")
	c.do(200, post, "/api/v1/sales/"+open+"/payments", cashier, map[string]any{"id": uuid.New(), "tender": "card", "amount": oaEUR(due), "reference": "auth-123"})
	c.do(200, post, "/api/v1/sales/"+open+"/complete", cashier, nil)

	voided := uuid.NewString()
	c.do(201, post, "/api/v1/sales", cashier, map[string]any{"id": voided, "store_id": store, "register_id": reg, "shift_id": shift,
		"lines": []any{map[string]any{"id": uuid.New(), "product_id": coffee, "quantity": 1}}})
	c.do(422, post, "/api/v1/sales/"+voided+"/discounts", cashier, map[string]any{"percent_bp": 2000}) // over the cashier's 10 %
	var approval struct {
		Token string `json:"approval_token"`
	}
	c.do(201, post, "/api/v1/auth/approvals", cashier, map[string]any{"username": "maria", "password": "user-password-1",
		"action": "sale.discount", "resource_id": voided}).JSON(t, &approval)
	c.do(200, post, "/api/v1/sales/"+voided+"/discounts", cashier, map[string]any{"percent_bp": 2000}, "X-Approval-Token", approval.Token)
	c.do(200, post, "/api/v1/sales/"+voided+"/void", cashier, map[string]any{"reason": "customer left"})

	// returns, then the shift's close
	ret := uuid.NewString()
	c.do(201, post, "/api/v1/returns", cashier, map[string]any{"id": ret, "sale_id": sale, "shift_id": shift,
		"lines": []any{map[string]any{"sale_line_id": line, "quantity": 1, "restock": true, "reason": "damaged"}}})
	c.do(200, get, "/api/v1/returns/"+ret, cashier, nil)
	expected := oaAmount(t, c.do(200, get, "/api/v1/shifts/"+shift+"/report", cashier, nil), "expected_cash")
	z := c.do(200, post, "/api/v1/shifts/"+shift+"/close", cashier, map[string]any{"counted_cash": oaEUR(expected)})
	if z.Map(t)["z_number"] == nil {
		t.Fatalf("close without z_number: %s", z.Body)
	}
	c.do(200, get, "/api/v1/shifts/"+shift, cashier, nil)

	// lists of the read models, consistent with the last command
	cw := c.consistent()
	for _, path := range []string{"/stores", "/stores/" + store + "/registers", "/tax-codes", "/products?q=coffee", "/products?limit=1",
		"/inventory?location_id=" + store, "/inventory?low_stock=true", "/sales?store_id=" + store + "&status=completed", "/sales/" + sale + "/lines",
		"/returns", "/shifts?status=closed", "/users?role=manager"} {
		c.do(200, get, "/api/v1"+path, admin, nil, cw...)
	}
	// reports, as JSON and CSV
	for _, path := range []string{"/reports/sales", "/reports/sales?group_by=day,product", "/reports/sales?group_by=tender",
		"/reports/sales?group_by=hour", "/reports/returns?group_by=day", "/reports/inventory-valuation", "/reports/top-products?by=quantity",
		"/reports/shifts", "/stats"} {
		c.do(200, get, "/api/v1"+path, admin, nil, cw...)
	}
	if r := c.do(200, get, "/api/v1/reports/sales?group_by=cashier", admin, nil, append(cw, "Accept", "text/csv")...); !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV report answered %s", r.Header.Get("Content-Type"))
	}

	// audit
	c.do(200, get, "/api/v1/audit/events?limit=5&category=sale&time=occurred", admin, nil)
	c.do(200, get, "/api/v1/audit/streams/sale-"+sale+"?limit=1", admin, nil)
	c.do(200, get, "/api/v1/audit/streams/sale-"+sale+"/state?revision=0", admin, nil)
	c.do(200, get, "/api/v1/audit/streams/sale-"+sale+"/diff?from=0&to=1", admin, nil)
	checkAuditStates(t, c, admin, "store-"+store, "register-"+reg, "taxcode-"+tax, "product-"+coffee, "shift-"+shift, "sale-"+sale,
		"return-"+ret, "stock-"+store+"."+coffee, "transfer-"+transfer, "user-"+maria)
	c.do(404, get, "/api/v1/audit/streams/sale-"+uuid.NewString(), admin, nil)
	c.do(200, get, "/api/v1/audit/verify", admin, nil)
	c.do(403, get, "/api/v1/audit/verify", cashier, nil)

	// errors are problems the document describes; the malformed requests are refused by both
	c.malformed(401, get, "/api/v1/sales/"+sale, "", nil)
	c.do(404, get, "/api/v1/sales/"+uuid.NewString(), admin, nil)
	c.malformed(400, post, "/api/v1/products", admin, map[string]any{"sku": "X", "name": "X", "price": oaEUR(1), "tax_code": "STD", "colour": "red"})
	c.malformed(400, post, "/api/v1/sales", cashier, map[string]any{"id": "not-a-uuid", "store_id": store, "register_id": reg, "shift_id": shift})
	c.malformed(400, get, "/api/v1/sales?limit=0", admin, nil)
	c.malformed(400, get, "/api/v1/inventory?low_stock=maybe", admin, nil)
	c.malformed(415, post, "/api/v1/tax-codes", admin, nil, "Content-Type", "text/plain")
}
