package queries_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestSalesSearch: GET /sales?q= finds a sale by receipt number, total, a line's product name
// or SKU, or its cashier's name, within the caller's stores.
func TestSalesSearch(t *testing.T) {
	w := start(t)
	_, anna := w.CreateUser("cashier-anna", []string{"cashier"}, []string{w.storeA})
	_, bob := w.CreateUser("cashier-bob", []string{"cashier"}, []string{w.storeA})
	cake := w.post(t, "/products", w.AdminToken, map[string]any{"sku": "PAS-CK", "name": "Cheesecake", "category": "pastry",
		"price": eur(450), "tax_code": "STD"})
	croissant := w.post(t, "/products", w.AdminToken, map[string]any{"sku": "PAS-CR", "name": "Croissant", "category": "pastry",
		"price": eur(180), "tax_code": "STD"})
	sell := func(token, product string, total int64) (id, receipt string) {
		shift := uuid.NewString()
		w.post(t, "/shifts", token, map[string]any{"id": shift, "register_id": w.regA, "opening_float": eur(0)})
		id = uuid.NewString()
		w.post(t, "/sales", token, map[string]any{"id": id, "store_id": w.storeA, "register_id": w.regA, "shift_id": shift,
			"lines":    []map[string]any{{"id": uuid.NewString(), "product_id": product, "quantity": 1}},
			"payments": []map[string]any{{"id": uuid.NewString(), "tender": "cash", "amount": eur(1000)}}, "complete": true})
		w.post(t, "/shifts/"+shift+"/close", token, map[string]any{"counted_cash": eur(total)})
		for _, s := range w.list(t, "/sales?register_id="+w.regA, w.AdminToken).Items {
			if s["id"] == id {
				receipt = fmt.Sprint(s["receipt_number"])
			}
		}
		return id, receipt
	}
	annaSale, annaReceipt := sell(anna, cake, 540)   // 450 + 20 % = 5.40
	bobSale, bobReceipt := sell(bob, croissant, 216) // 180 + 20 % = 2.16

	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"cheese", []string{annaSale}},
		{"CROISS", []string{bobSale}},
		{"pas-c", []string{annaSale, bobSale}},
		{"PAS-CR", []string{bobSale}},
		{"anna", []string{annaSale}},
		{"cashier-b", []string{bobSale}},
		{"5.40", []string{annaSale}},
		{"2,16", []string{bobSale}},
		{annaReceipt, []string{annaSale}},
		{bobReceipt, []string{bobSale}},
		{"nothing-like-it", nil},
	} {
		got := field(w.list(t, "/sales?q="+url.QueryEscape(tc.q), w.AdminToken), "id")
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("q=%q: %s, want %s", tc.q, strings.Join(got, ","), strings.Join(want, ","))
		}
	}
	if got := w.list(t, "/sales?q=anna&status=voided", w.AdminToken); len(got.Items) != 0 {
		t.Errorf("q with status=voided: %v, want none", got.Items)
	}
}
