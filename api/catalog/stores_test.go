package catalog_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
)

func TestStoresAndRegisters(t *testing.T) {
	e := newEnv(t)
	admin := e.AdminToken
	id := uuid.NewString()
	body := storeBody("AMS1")
	body["id"] = id
	created := e.Must(http.StatusCreated, "POST", "/api/v1/stores", admin, body)
	if created.Header.Get("ETag") != `"0"` || created.Header.Get("Location") != "/api/v1/stores/"+id {
		t.Fatalf("headers = %v", created.Header)
	}
	m := created.Map(t)
	if m["id"] != id || m["timezone"] != "Europe/Amsterdam" || m["prices_include_tax"] != true || m["rounding"] != "half_up" || m["position"].(float64) == 0 {
		t.Fatalf("created = %s", created.Body)
	}
	if tol := m["cash_tolerance"].(map[string]any); tol["currency"] != "EUR" || tol["amount"].(float64) != 500 {
		t.Fatalf("default cash tolerance = %v", tol)
	}
	// A retry with the same client ID answers as the first time and writes nothing.
	again := e.Must(http.StatusCreated, "POST", "/api/v1/stores", admin, body)
	if a, c := decode(t, again), decode(t, created); a.Revision != c.Revision || a.Position != c.Position {
		t.Fatalf("retry = %s, first = %s", again.Body, created.Body)
	}
	if n := len(events(t, e, commands.StoreStream(uuid.MustParse(id)))); n != 1 {
		t.Fatalf("store stream holds %d events after a retry", n)
	}
	got := e.Must(http.StatusOK, "GET", "/api/v1/stores/"+id, admin, nil)
	if got.Header.Get("ETag") != `"0"` || got.Map(t)["code"] != "AMS1" {
		t.Fatalf("GET = %v %s", got.Header, got.Body)
	}
	e.Must(http.StatusNotFound, "GET", "/api/v1/stores/"+uuid.NewString(), admin, nil)
	e.Must(http.StatusNotFound, "GET", "/api/v1/stores/not-a-uuid", admin, nil)

	// Codes are unique whatever the case; bad fields are listed at once.
	dup := e.Must(http.StatusConflict, "POST", "/api/v1/stores", admin, storeBody("ams1"))
	if !strings.Contains(string(dup.Body), `"code":"duplicate"`) {
		t.Fatalf("duplicate = %s", dup.Body)
	}
	bad := e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/stores", admin, map[string]any{
		"code": "X", "currency": "euro", "timezone": "Mars/Olympus", "rounding": "ceil",
		"cash_tolerance": map[string]any{"amount": 1, "currency": "USD"}})
	for _, f := range []string{"name", "currency", "timezone", "rounding", "cash_tolerance.currency"} {
		if !strings.Contains(string(bad.Body), `"field":"`+f+`"`) {
			t.Errorf("validation lacks %s: %s", f, bad.Body)
		}
	}
	if owner(t, e, commands.StoreCodeKey("X")) != "" {
		t.Fatal("an invalid store holds its code")
	}

	// Settings: conditional on the revision, partial, validated.
	settings := map[string]any{"rounding": "half_even", "cash_tolerance": map[string]any{"amount": 1000, "currency": "EUR"}}
	e.Must(http.StatusPreconditionFailed, "POST", "/api/v1/stores/"+id+"/settings", admin, settings, "If-Match", `"3"`)
	changed := e.Must(http.StatusOK, "POST", "/api/v1/stores/"+id+"/settings", admin, settings, "If-Match", `"0"`)
	if cm := changed.Map(t); changed.Header.Get("ETag") != `"1"` || cm["rounding"] != "half_even" || cm["prices_include_tax"] != true {
		t.Fatalf("settings = %v %s", changed.Header, changed.Body)
	}
	e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/stores/"+id+"/settings", admin, map[string]any{"cashier_limits": map[string]any{"max_discount_bp": 20000, "max_refund": map[string]any{"amount": 1, "currency": "EUR"}}})
	e.Must(http.StatusNotFound, "POST", "/api/v1/stores/"+uuid.NewString()+"/settings", admin, settings)

	// Registers: code unique per store, in an existing store, read back within their store.
	reg := e.Must(http.StatusCreated, "POST", "/api/v1/stores/"+id+"/registers", admin, map[string]any{"code": "R1", "name": "Till 1"})
	r := reg.Map(t)
	if r["store_id"] != id || r["code"] != "R1" || r["open_shift_id"] != nil || reg.Header.Get("ETag") != `"0"` {
		t.Fatalf("register = %s", reg.Body)
	}
	rid := r["id"].(string)
	e.Must(http.StatusConflict, "POST", "/api/v1/stores/"+id+"/registers", admin, map[string]any{"code": "r1", "name": "Till 1 again"})
	other := decode(t, e.Must(http.StatusCreated, "POST", "/api/v1/stores", admin, storeBody("RTM1"))).ID
	e.Must(http.StatusCreated, "POST", "/api/v1/stores/"+other+"/registers", admin, map[string]any{"code": "R1", "name": "Till 1"})
	e.Must(http.StatusNotFound, "POST", "/api/v1/stores/"+uuid.NewString()+"/registers", admin, map[string]any{"code": "R1"})
	e.Must(http.StatusOK, "GET", "/api/v1/stores/"+id+"/registers/"+rid, admin, nil)
	e.Must(http.StatusNotFound, "GET", "/api/v1/stores/"+other+"/registers/"+rid, admin, nil)
	e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/stores/"+id+"/registers", admin, map[string]any{"name": "no code"})
}

func TestStoreCodeRace(t *testing.T) {
	e := newEnv(t)
	statuses := race(8, func(int) int {
		return e.Do("POST", "/api/v1/stores", e.AdminToken, storeBody("UTR1")).Status
	})
	exactlyOne(t, statuses)
}

func TestStoreScoping(t *testing.T) {
	e := newEnv(t)
	a := decode(t, e.Must(http.StatusCreated, "POST", "/api/v1/stores", e.AdminToken, storeBody("A"))).ID
	b := decode(t, e.Must(http.StatusCreated, "POST", "/api/v1/stores", e.AdminToken, storeBody("B"))).ID
	_, manager := e.CreateUser("mia", []string{"manager"}, []string{a})
	_, scopedAdmin := e.CreateUser("ada", []string{"admin"}, []string{a})
	_, cashier := e.CreateUser("cas", []string{"cashier"}, []string{a})

	e.Must(http.StatusOK, "GET", "/api/v1/stores/"+a, manager, nil)
	e.Must(http.StatusOK, "GET", "/api/v1/stores/"+a, cashier, nil)
	for _, tok := range []string{manager, cashier} {
		if p := e.Must(http.StatusForbidden, "GET", "/api/v1/stores/"+b, tok, nil); !strings.Contains(string(p.Body), "store_forbidden") {
			t.Fatalf("store B: %s", p.Body)
		}
	}
	// Store administration is stores.write (admins only in the default policy).
	e.Must(http.StatusForbidden, "POST", "/api/v1/stores", manager, storeBody("C"))
	e.Must(http.StatusForbidden, "POST", "/api/v1/stores/"+a+"/registers", manager, map[string]any{"code": "R9"})
	// An admin scoped to store A adds registers there but not in store B.
	e.Must(http.StatusCreated, "POST", "/api/v1/stores/"+a+"/registers", scopedAdmin, map[string]any{"code": "R1"})
	if p := e.Must(http.StatusForbidden, "POST", "/api/v1/stores/"+b+"/registers", scopedAdmin, map[string]any{"code": "R1"}); !strings.Contains(string(p.Body), "store_forbidden") {
		t.Fatalf("register in B: %s", p.Body)
	}
	e.Must(http.StatusForbidden, "POST", "/api/v1/stores/"+b+"/settings", scopedAdmin, map[string]any{"rounding": "half_even"})
	if owner(t, e, commands.RegisterCodeKey(uuid.MustParse(b), "R1")) != "" {
		t.Fatal("a refused register holds its code")
	}
}

// race runs f n times at once and returns the statuses.
func race(n int, f func(i int) int) []int {
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = f(i)
		}()
	}
	wg.Wait()
	return statuses
}

// exactlyOne fails unless exactly one status is 201 and every other is 409.
func exactlyOne(t *testing.T, statuses []int) {
	t.Helper()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Fatalf("status %d among %v", s, statuses)
		}
	}
	if created != 1 {
		t.Fatalf("%d of %v created, want exactly 1", created, statuses)
	}
}
