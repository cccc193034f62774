package catalog_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
)

// do is e.Do that waits out the per-user rate limit, so long tables of requests see the
// status of the route, not 429.
func do(e *apitest.Env, method, path, token string, body any, headers ...string) *apitest.Response {
	for {
		r := e.Do(method, path, token, body, headers...)
		if r.Status != http.StatusTooManyRequests {
			return r
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// hostile are strings that must be stored and returned verbatim.
var hostile = []string{
	`'; DROP TABLE events;--`,
	`<script>alert(1)</script>`,
	`Robert"); DELETE FROM streams WHERE 1=1; --`,
	`{{7*7}} ${jndi:ldap://x/a} %s%n`,
	`Äpfel 🍎 \ "quoted" ' OR '1'='1`,
}

func TestHostileTextIsStoredVerbatim(t *testing.T) {
	e := newEnv(t)
	admin := e.AdminToken
	for i, s := range hostile {
		tc := do(e, "POST", "/api/v1/tax-codes", admin, map[string]any{"code": s, "name": s, "rate_bp": 0})
		st := do(e, "POST", "/api/v1/stores", admin, map[string]any{"code": s, "name": s, "currency": "EUR", "timezone": "UTC"})
		if tc.Status != 201 || st.Status != 201 {
			t.Fatalf("%q: tax code %d %s, store %d %s", s, tc.Status, tc.Body, st.Status, st.Body)
		}
		storeID := decode(t, st).ID
		reg := do(e, "POST", "/api/v1/stores/"+storeID+"/registers", admin, map[string]any{"code": s, "name": s})
		p := productBody(s, s, s+"-2")
		p["name"], p["category"], p["tax_code"] = s, s, s
		prod := do(e, "POST", "/api/v1/products", admin, p)
		if reg.Status != 201 || prod.Status != 201 {
			t.Fatalf("%q: register %d %s, product %d %s", s, reg.Status, reg.Body, prod.Status, prod.Body)
		}
		pid := decode(t, prod).ID
		do(e, "POST", "/api/v1/products/"+pid+"/deactivate", admin, map[string]any{"reason": s})

		for _, r := range []*apitest.Response{
			do(e, "GET", "/api/v1/tax-codes/"+decode(t, tc).ID, admin, nil),
			do(e, "GET", "/api/v1/stores/"+storeID, admin, nil),
			do(e, "GET", "/api/v1/stores/"+storeID+"/registers/"+decode(t, reg).ID, admin, nil),
		} {
			if v := decode(t, r); v.Code != s || v.Name != s {
				t.Errorf("%d: %s", i, r.Body)
			}
		}
		var got struct {
			SKU      string   `json:"sku"`
			Barcodes []string `json:"barcodes"`
			Name     string   `json:"name"`
			Category string   `json:"category"`
			TaxCode  string   `json:"tax_code"`
		}
		do(e, "GET", "/api/v1/products/"+pid, admin, nil).JSON(t, &got)
		if got.SKU != s || got.Barcodes[0] != s || got.Barcodes[1] != s+"-2" || got.Name != s || got.Category != s || got.TaxCode != s {
			t.Errorf("product %d = %+v", i, got)
		}
		evs := events(t, e, commands.ProductStream(uuid.MustParse(pid)))
		var reason struct {
			Reason string `json:"reason"`
		}
		if len(evs) != 2 || json.Unmarshal(evs[1].Data, &reason) != nil || reason.Reason != s {
			t.Errorf("deactivation reason %d not kept verbatim: %d events", i, len(evs))
		}
	}
	// Control characters and overlong codes are refused with the field named.
	for _, c := range []struct{ field, value string }{
		{"name", "a\x00b"}, {"name", "line\nbreak"}, {"sku", strings.Repeat("S", 65)}, {"category", "\x1b[31mred"},
		{"barcodes[0]", "12\t34"},
	} {
		body := productBody("OK-1")
		if c.field == "barcodes[0]" {
			body["barcodes"] = []string{c.value}
		} else {
			body[c.field] = c.value
		}
		r := do(e, "POST", "/api/v1/products", admin, body)
		want := 422
		if strings.ContainsRune(c.value, 0) {
			want = 400 // invalid_text, refused at the edge before any rule
		}
		if r.Status != want || !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
			t.Errorf("%s %q: %d %s", c.field, c.value, r.Status, r.Body)
		}
	}
}

func TestMalformedRequestsAreClientErrors(t *testing.T) {
	e := newEnv(t)
	admin := e.AdminToken
	store := decode(t, e.Must(http.StatusCreated, "POST", "/api/v1/stores", admin, storeBody("M1"))).ID
	product := decode(t, e.Must(http.StatusCreated, "POST", "/api/v1/products", admin, productBody("M-1"))).ID
	tax := decode(t, do(e, "POST", "/api/v1/tax-codes", admin, map[string]any{"code": "M", "name": "M", "rate_bp": 1})).ID
	paths := []string{"/api/v1/stores", "/api/v1/stores/" + store + "/settings", "/api/v1/stores/" + store + "/registers",
		"/api/v1/tax-codes", "/api/v1/tax-codes/" + tax + "/rate", "/api/v1/products", "/api/v1/products/" + product + "/price",
		"/api/v1/products/" + product + "/deactivate", "/api/v1/products/" + product + "/reactivate"}
	bodies := []string{`{`, `[]`, `"x"`, `null`, `{}`, `{"unknown":1}`, `{"code":1}`, `{"sku":["a"]}`, `{"id":"not-a-uuid"}`,
		`{"price":{"amount":19.99,"currency":"EUR"}}`, `{"price":{"amount":"1","currency":"EUR"}}`,
		`{"price":{"amount":1,"currency":"EUR","extra":1}}`, `{"low_stock_threshold":1.2345}`, `{"rate_bp":1e30}`,
		`{"rate_bp":-1}`, `{"cash_tolerance":{"amount":99999999999999999999,"currency":"EUR"}}`, `{"effective_at":"yesterday"}`,
		`{"reason":"x"} trailing`, `{"barcodes":[null]}`, `{"rounding":null,"prices_include_tax":"yes"}`, "\xff\xfe"}
	for _, path := range paths {
		for _, b := range bodies {
			r := do(e, "POST", path, admin, b)
			ok := r.Status == 400 || r.Status == 422 ||
				(r.Status == 200 && (b == "{}" || b == "null") && !strings.HasSuffix(path, "/stores") && !strings.HasSuffix(path, "/registers") && !strings.HasSuffix(path, "/products") && !strings.HasSuffix(path, "/tax-codes"))
			if !ok || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/") {
				t.Errorf("POST %s %s: %d %s", path, b, r.Status, r.Body)
			}
		}
		if r := do(e, "POST", path, admin, `{}`, "Content-Type", "text/plain"); r.Status != http.StatusUnsupportedMediaType {
			t.Errorf("POST %s as text/plain: %d", path, r.Status)
		}
	}
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	if r := do(e, "POST", "/api/v1/products", admin, big); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: %d", r.Status)
	}
}

func TestCatalogPermissions(t *testing.T) {
	e := newEnv(t)
	store := decode(t, e.Must(http.StatusCreated, "POST", "/api/v1/stores", e.AdminToken, storeBody("P1"))).ID
	product := decode(t, e.Must(http.StatusCreated, "POST", "/api/v1/products", e.AdminToken, productBody("P-1"))).ID
	_, cashier := e.CreateUser("carl", []string{"cashier"}, []string{store})
	_, auditor := e.CreateUser("audra", []string{"auditor"}, nil)
	_, manager := e.CreateUser("mona", []string{"manager"}, []string{store})
	for _, tok := range []string{cashier, auditor} {
		if r := do(e, "POST", "/api/v1/products", tok, productBody("P-2")); r.Status != 403 || !strings.Contains(string(r.Body), "permission_denied") {
			t.Errorf("create product: %d %s", r.Status, r.Body)
		}
		do(e, "POST", "/api/v1/tax-codes", tok, map[string]any{"code": "Z", "rate_bp": 1})
		if r := do(e, "POST", "/api/v1/products/"+product+"/price", tok, map[string]any{"price": map[string]any{"amount": 1, "currency": "EUR"}}); r.Status != 403 {
			t.Errorf("change price: %d", r.Status)
		}
		if r := do(e, "GET", "/api/v1/products/"+product, tok, nil); r.Status != 200 {
			t.Errorf("read product: %d", r.Status)
		}
	}
	if r := do(e, "POST", "/api/v1/products", manager, productBody("P-3")); r.Status != 201 {
		t.Errorf("manager creates a product: %d %s", r.Status, r.Body)
	}
	if r := do(e, "GET", "/api/v1/products/"+product, "", nil); r.Status != 401 {
		t.Errorf("anonymous read: %d", r.Status)
	}
	if owner(t, e, commands.SKUKey("P-2")) != "" {
		t.Error("a refused create holds its SKU")
	}
}
