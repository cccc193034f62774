package queries_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/google/uuid"
)

// TestOpenSaleTotalsOverHTTP parks a sale in a store pricing tax-inclusive and rounding half
// to even — three lines (one weighed, one with its own discount), one removed, a sale
// discount, a partial payment — and checks that the sales list and its lines show the totals
// and line amounts the last command answered.
func TestOpenSaleTotalsOverHTTP(t *testing.T) {
	w := start(t)
	store := w.post(t, "/stores", w.AdminToken, map[string]any{"code": "C", "name": "Gamma", "currency": "EUR", "timezone": "Europe/Paris",
		"prices_include_tax": true, "rounding": "half_even"})
	reg := w.post(t, "/stores/"+store+"/registers", w.AdminToken, map[string]any{"code": "R1", "name": "Till 1"})
	w.post(t, "/tax-codes", w.AdminToken, map[string]any{"code": "RED", "name": "Reduced", "rate_bp": 550})
	cheese := w.post(t, "/products", w.AdminToken, map[string]any{"sku": "CHE-1", "name": "Comté", "category": "deli",
		"price": eur(1999), "tax_code": "RED", "sold_by_weight": true})
	w.post(t, "/inventory/receipts", w.AdminToken, map[string]any{"id": uuid.NewString(), "location_id": store,
		"lines": []map[string]any{{"product_id": w.coffee, "quantity": 10}, {"product_id": w.tea, "quantity": 10}}})
	_, cashier := w.CreateUser("cashier-c", []string{"cashier"}, []string{store})
	shift := uuid.NewString()
	w.post(t, "/shifts", cashier, map[string]any{"id": shift, "register_id": reg, "opening_float": eur(10000)})

	id, coffeeLine, teaLine, cheeseLine := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	base := "/api/v1/sales/" + id
	w.post(t, "/sales", cashier, map[string]any{"id": id, "store_id": store, "register_id": reg, "shift_id": shift,
		"lines": []map[string]any{
			{"id": coffeeLine, "product_id": w.coffee, "quantity": 3, "discount": map[string]any{"percent_bp": 500}},
			{"id": teaLine, "product_id": w.tea, "quantity": 1},
			{"id": cheeseLine, "product_id": cheese, "quantity": 0.347},
		}})
	w.Must(http.StatusOK, http.MethodDelete, base+"/lines/"+teaLine, cashier, nil)
	w.Must(http.StatusOK, http.MethodPost, base+"/discounts", cashier, map[string]any{"amount": eur(37)})
	paid := w.Must(http.StatusOK, http.MethodPost, base+"/payments", cashier,
		map[string]any{"id": uuid.NewString(), "tender": "card", "amount": eur(500)})
	var answered struct {
		Status   string           `json:"status"`
		Lines    []map[string]any `json:"lines"`
		Totals   map[string]any   `json:"totals"`
		Position json.RawMessage  `json:"position"`
	}
	paid.JSON(t, &answered)
	w.last = string(answered.Position)
	due := answered.Totals["due"].(map[string]any)["amount"].(float64)
	if answered.Status != "open" || len(answered.Lines) != 2 || due <= 0 || answered.Totals["discount"].(map[string]any)["amount"].(float64) <= 37 {
		t.Fatalf("the command answered %s", paid.Body)
	}

	list := w.list(t, "/sales?status=open&store_id="+store, cashier)
	if len(list.Items) != 1 || list.Items[0]["id"] != id {
		t.Fatalf("open sales: %+v", list.Items)
	}
	if got := list.Items[0]["totals"]; !reflect.DeepEqual(got, answered.Totals) {
		t.Fatalf("listed totals %v, the command answered %v", got, answered.Totals)
	}
	if n := list.Items[0]["line_count"]; n != 2.0 {
		t.Fatalf("line_count = %v", n)
	}
	lines := w.list(t, "/sales/"+id+"/lines", cashier)
	if len(lines.Items) != len(answered.Lines) {
		t.Fatalf("lines %+v, the command answered %+v", lines.Items, answered.Lines)
	}
	for i, got := range lines.Items {
		want := answered.Lines[i]
		for _, k := range []string{"id", "product_id", "quantity", "unit_price", "tax_rate_bp", "discount_rule", "discount", "tax", "total"} {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Fatalf("line %d %s = %v, the command answered %v", i, k, got[k], want[k])
			}
		}
		if got["priced"] != false {
			t.Fatalf("line %d of an open sale is final: %v", i, got)
		}
	}
}
