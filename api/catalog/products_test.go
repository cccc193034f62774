package catalog_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
)

func TestTaxCodes(t *testing.T) {
	e := newEnv(t)
	admin := e.AdminToken
	tc := e.Must(http.StatusCreated, "POST", "/api/v1/tax-codes", admin, map[string]any{"code": "VAT_LOW", "name": "VAT 9%", "rate_bp": 900})
	id := decode(t, tc).ID
	e.Must(http.StatusConflict, "POST", "/api/v1/tax-codes", admin, map[string]any{"code": "vat_low", "name": "again", "rate_bp": 900})
	bad := e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/tax-codes", admin, map[string]any{"code": "X", "rate_bp": 10001})
	if !strings.Contains(string(bad.Body), `"field":"rate_bp"`) {
		t.Fatalf("rate 10001: %s", bad.Body)
	}
	e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/tax-codes", admin, map[string]any{"code": "Y", "name": "no rate"})
	e.Must(http.StatusPreconditionFailed, "POST", "/api/v1/tax-codes/"+id+"/rate", admin, map[string]any{"rate_bp": 1000}, "If-Match", `"1"`)
	changed := e.Must(http.StatusOK, "POST", "/api/v1/tax-codes/"+id+"/rate", admin, map[string]any{"rate_bp": 1000}, "If-Match", `"0"`)
	got := e.Must(http.StatusOK, "GET", "/api/v1/tax-codes/"+id, admin, nil)
	m := got.Map(t)
	if changed.Header.Get("ETag") != `"1"` || m["rate_bp"].(float64) != 1000 || len(m["rates"].([]any)) != 2 {
		t.Fatalf("after the rate change: %s", got.Body)
	}
	e.Must(http.StatusNotFound, "POST", "/api/v1/tax-codes/"+uuid.NewString()+"/rate", admin, map[string]any{"rate_bp": 1000})
	e.Must(http.StatusNotFound, "GET", "/api/v1/tax-codes/"+uuid.NewString(), admin, nil)
}

func TestProducts(t *testing.T) {
	e := newEnv(t)
	admin := e.AdminToken
	id := uuid.NewString()
	body := productBody("APL-1", "8710000000001")
	body["id"], body["tax_code"], body["sold_by_weight"], body["low_stock_threshold"] = id, "vat_high", true, 2.5
	body["cost"] = map[string]any{"amount": 120, "currency": "EUR"}
	created := e.Must(http.StatusCreated, "POST", "/api/v1/products", admin, body)
	m := created.Map(t)
	if m["tax_code"] != "VAT_HIGH" || m["low_stock_threshold"].(float64) != 2.5 || m["active"] != true || m["sold_by_weight"] != true || created.Header.Get("ETag") != `"0"` {
		t.Fatalf("created = %s", created.Body)
	}
	// The same client ID again: the original answer, no second event, no second claim.
	again := e.Must(http.StatusCreated, "POST", "/api/v1/products", admin, body)
	if a, c := decode(t, again), decode(t, created); a.Position != c.Position || a.Revision != 0 {
		t.Fatalf("retry = %s", again.Body)
	}
	pid := uuid.MustParse(id)
	if n := len(events(t, e, commands.ProductStream(pid))); n != 1 {
		t.Fatalf("product stream holds %d events after a retry", n)
	}
	if n := len(events(t, e, commands.ReservationStream(commands.SKUKey("APL-1")))); n != 1 {
		t.Fatalf("SKU reservation holds %d events after a retry", n)
	}
	// The same ID with other data is a conflict.
	other := productBody("PEAR-1")
	other["id"] = id
	e.Must(http.StatusConflict, "POST", "/api/v1/products", admin, other)

	// Price, conditional; deactivate and reactivate with or without a body.
	price := map[string]any{"price": map[string]any{"amount": 349, "currency": "EUR"}}
	e.Must(http.StatusPreconditionFailed, "POST", "/api/v1/products/"+id+"/price", admin, price, "If-Match", `"4"`)
	p := e.Must(http.StatusOK, "POST", "/api/v1/products/"+id+"/price", admin, price, "If-Match", `"0"`)
	if pm := p.Map(t); pm["price"].(map[string]any)["amount"].(float64) != 349 || p.Header.Get("ETag") != `"1"` {
		t.Fatalf("price = %s", p.Body)
	}
	e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/products/"+id+"/price", admin, map[string]any{"price": map[string]any{"amount": 349, "currency": "USD"}})
	e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/products/"+id+"/price", admin, map[string]any{})
	if d := e.Must(http.StatusOK, "POST", "/api/v1/products/"+id+"/deactivate", admin, nil).Map(t); d["active"] != false {
		t.Fatalf("deactivated = %v", d)
	}
	e.Must(http.StatusOK, "POST", "/api/v1/products/"+id+"/reactivate", admin, nil)
	e.Must(http.StatusOK, "POST", "/api/v1/products/"+id+"/deactivate", admin, map[string]any{"reason": "recalled"})
	got := e.Must(http.StatusOK, "GET", "/api/v1/products/"+id, admin, nil)
	if gm := got.Map(t); gm["active"] != false || got.Header.Get("ETag") != `"4"` {
		t.Fatalf("GET = %v %s", got.Header, got.Body)
	}
	e.Must(http.StatusNotFound, "POST", "/api/v1/products/"+uuid.NewString()+"/deactivate", admin, nil)
	e.Must(http.StatusNotFound, "GET", "/api/v1/products/"+uuid.NewString(), admin, nil)

	// An unknown tax code is a field problem.
	unknown := productBody("X-1")
	unknown["tax_code"] = "NOPE"
	if r := e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/products", admin, unknown); !strings.Contains(string(r.Body), `"field":"tax_code"`) {
		t.Fatalf("unknown tax code: %s", r.Body)
	}
	if owner(t, e, commands.SKUKey("X-1")) != "" {
		t.Fatal("a product with an unknown tax code holds its SKU")
	}
}

func TestIdempotencyKeyReplaysAndNamesTheProduct(t *testing.T) {
	e := newEnv(t)
	first := e.Must(http.StatusCreated, "POST", "/api/v1/products", e.AdminToken, productBody("K-1"), "Idempotency-Key", "k-1")
	again := e.Must(http.StatusCreated, "POST", "/api/v1/products", e.AdminToken, productBody("K-1"), "Idempotency-Key", "k-1")
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) {
		t.Fatalf("replay = %v %s", again.Header, again.Body)
	}
	e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/products", e.AdminToken, productBody("K-2"), "Idempotency-Key", "k-1")
	// Without the Redis replay the key still names the same product: the retry is a command
	// replay, not a second product refused for its SKU.
	e.DeleteRedisKeys()
	retry := e.Must(http.StatusCreated, "POST", "/api/v1/products", e.AdminToken, productBody("K-1"), "Idempotency-Key", "k-1")
	if decode(t, retry).ID != decode(t, first).ID {
		t.Fatalf("retry without Redis = %s", retry.Body)
	}
}

func TestSKURace(t *testing.T) {
	e := newEnv(t)
	exactlyOne(t, race(8, func(int) int {
		return e.Do("POST", "/api/v1/products", e.AdminToken, productBody("RACE-1")).Status
	}))
}

func TestBarcodesAreUniqueAcrossProducts(t *testing.T) {
	e := newEnv(t)
	admin := e.AdminToken
	e.Must(http.StatusCreated, "POST", "/api/v1/products", admin, productBody("A-1", "1111", "2222"))
	dup := e.Must(http.StatusConflict, "POST", "/api/v1/products", admin, productBody("B-1", "0000", "2222"))
	if !strings.Contains(string(dup.Body), "barcodes[1] 2222") {
		t.Fatalf("duplicate barcode = %s", dup.Body)
	}
	// What B claimed before meeting the taken barcode was released: another product gets it.
	for _, key := range []string{commands.SKUKey("B-1"), commands.BarcodeKey("0000")} {
		if o := owner(t, e, key); o != "" {
			t.Fatalf("%s still held by %s", key, o)
		}
	}
	e.Must(http.StatusCreated, "POST", "/api/v1/products", admin, productBody("B-1", "0000"))
	e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/products", admin, productBody("C-1", "3333", "3333"))
}
