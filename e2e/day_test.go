package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
	"github.com/odata-pos/pos/internal/pgtest"
)

// TestADayInAStore runs the same day in a store against posd on each event store backend.
func TestADayInAStore(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		p := startPosd(t, posdEnv(t, pgtest.NewDatabase(t), nil))
		dayInAStore(t, p)
	})
	t.Run("eventstoredb-emulator", func(t *testing.T) {
		t.Parallel()
		srv := esdbtest.New(t)
		p := startPosd(t, posdEnv(t, pgtest.NewDatabase(t), map[string]string{"POS_ESDB_URL": srv.URL()}))
		dayInAStore(t, p)
	})
}

// amount returns the minor units of the money at a dotted key of m.
func amount(t testing.TB, m map[string]any, key string) int64 {
	t.Helper()
	parts := strings.Split(key, ".")
	cur := m
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			t.Fatalf("no %s in %v", key, m)
		}
		cur = next
	}
	money, ok := cur[parts[len(parts)-1]].(map[string]any)
	if !ok {
		t.Fatalf("no money %s in %v", key, m)
	}
	a, ok := money["amount"].(float64)
	if !ok || money["currency"] != "EUR" {
		t.Fatalf("money %s = %v", key, money)
	}
	return int64(a)
}

func idOf(t testing.TB, r *response) string {
	t.Helper()
	id, _ := r.Map(t)["id"].(string)
	if id == "" {
		t.Fatalf("no id in %s", r.Body)
	}
	return id
}

// checkSale checks a sale answer: status, receipt number, totals, and each line's tax and total.
func checkSale(t testing.TB, name string, m map[string]any, status string, receipt int, subtotal, discount, tax, total, paid, change int64, lines ...[2]int64) {
	t.Helper()
	if m["status"] != status {
		t.Errorf("%s: status %v, want %s", name, m["status"], status)
	}
	if got, _ := m["receipt_number"].(float64); int(got) != receipt {
		t.Errorf("%s: receipt_number %v, want %d", name, m["receipt_number"], receipt)
	}
	got := []int64{amount(t, m, "totals.subtotal"), amount(t, m, "totals.discount"), amount(t, m, "totals.tax"),
		amount(t, m, "totals.total"), amount(t, m, "totals.paid"), amount(t, m, "totals.change")}
	want := []int64{subtotal, discount, tax, total, paid, change}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: totals (subtotal, discount, tax, total, paid, change) = %v, want %v", name, got, want)
	}
	ls, _ := m["lines"].([]any)
	if len(ls) != len(lines) {
		t.Fatalf("%s: %d lines, want %d: %v", name, len(ls), len(lines), m)
	}
	for i, l := range ls {
		lm := l.(map[string]any)
		if g := [2]int64{amount(t, lm, "tax"), amount(t, lm, "total")}; g != lines[i] {
			t.Errorf("%s: line %d (tax, total) = %v, want %v", name, i, g, lines[i])
		}
	}
}

type stockLevel struct {
	LocationID string      `json:"location_id"`
	ProductID  string      `json:"product_id"`
	OnHand     json.Number `json:"on_hand"`
	InTransit  json.Number `json:"in_transit"`
	LowStock   bool        `json:"low_stock"`
}

// waitStock waits until GET /inventory shows on hand and in transit for a product at a location
// (sales and restocking returns reach the stock streams through the asynchronous policies).
func waitStock(t testing.TB, c *client, loc, product, onHand, inTransit string) {
	t.Helper()
	began := time.Now()
	defer func() {
		if d := time.Since(began); d > time.Second {
			t.Logf("stock of %s at %s took %v to reach %s", product, loc, d.Round(time.Millisecond), onHand)
		}
	}()
	eventually(t, fmt.Sprintf("stock of %s at %s = %s (+%s in transit)", product, loc, onHand, inTransit), func() (bool, string) {
		r := c.send(http.MethodGet, "/api/v1/inventory?location_id="+loc+"&product_id="+product, nil,
			"X-Consistent-With", strconv.FormatUint(c.position(), 10))
		if r.Status != http.StatusOK {
			return false, fmt.Sprintf("%d %s", r.Status, r.Body)
		}
		var out struct {
			Items []stockLevel `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &out); err != nil || len(out.Items) > 1 {
			return false, string(r.Body)
		}
		if len(out.Items) == 0 { // never stocked there
			return onHand == "0" && inTransit == "0", string(r.Body)
		}
		l := out.Items[0]
		return numEq(l.OnHand, onHand) && numEq(l.InTransit, inTransit), string(r.Body)
	})
}

// numEq compares a JSON number with a decimal string exactly (as decimals, not floats).
func numEq(n json.Number, want string) bool {
	norm := func(s string) string {
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		if s == "" || s == "-0" {
			return "0"
		}
		return s
	}
	return norm(n.String()) == norm(want)
}

// dayInAStore is the scripted day: every number the API answers is checked against figures
// computed here by hand (prices include tax; STD 21 %, RED 9 %, rounding half up per line).
func dayInAStore(t *testing.T, p *posd) {
	admin := p.login(t, p.admin, adminPass)
	const post, get = http.MethodPost, http.MethodGet

	// --- Back office: stores, register, settings, tax codes, products, users, stock.
	store := idOf(t, admin.do(201, post, "/api/v1/stores", map[string]any{"code": "MAIN", "name": "Main street", "currency": "EUR",
		"timezone": "Europe/Amsterdam", "prices_include_tax": true, "rounding": "half_up"}))
	depot := idOf(t, admin.do(201, post, "/api/v1/stores", map[string]any{"code": "DEPOT", "name": "Depot", "currency": "EUR",
		"timezone": "Europe/Amsterdam", "prices_include_tax": true, "rounding": "half_up"}))
	admin.do(200, post, "/api/v1/stores/"+store+"/settings", map[string]any{"allow_negative_stock": false,
		"cashier_limits": map[string]any{"max_discount_bp": 1000, "max_refund": eur(5000)}, "cash_tolerance": eur(100)})
	reg := idOf(t, admin.do(201, post, "/api/v1/stores/"+store+"/registers", map[string]any{"code": "R1", "name": "Till 1"}))
	admin.do(201, post, "/api/v1/tax-codes", map[string]any{"code": "STD", "name": "Standard", "rate_bp": 2100})
	admin.do(201, post, "/api/v1/tax-codes", map[string]any{"code": "RED", "name": "Reduced", "rate_bp": 900})
	bread := idOf(t, admin.do(201, post, "/api/v1/products", map[string]any{"sku": "BREAD", "barcodes": []string{"4006381333931"},
		"name": "Sourdough bread", "category": "bakery", "price": eur(299), "cost": eur(120), "tax_code": "STD", "track_stock": true, "low_stock_threshold": 5}))
	wine := idOf(t, admin.do(201, post, "/api/v1/products", map[string]any{"sku": "WINE", "name": "Red wine", "category": "drinks",
		"price": eur(1000), "cost": eur(600), "tax_code": "STD", "track_stock": true}))
	apples := idOf(t, admin.do(201, post, "/api/v1/products", map[string]any{"sku": "APPLES", "name": "Apples (kg)", "category": "fruit",
		"price": eur(199), "tax_code": "RED", "track_stock": true, "sold_by_weight": true}))
	admin.do(201, post, "/api/v1/users", map[string]any{"username": "manager", "password": userPass, "roles": []string{"manager"}, "store_ids": []string{store}})
	admin.do(201, post, "/api/v1/users", map[string]any{"username": "cashier", "password": userPass, "roles": []string{"cashier"}, "store_ids": []string{store}})
	admin.do(201, post, "/api/v1/inventory/receipts", map[string]any{"id": uuid.New(), "location_id": store, "lines": []any{
		map[string]any{"product_id": bread, "quantity": 50, "unit_cost": eur(120)},
		map[string]any{"product_id": wine, "quantity": 20, "unit_cost": eur(600)},
		map[string]any{"product_id": apples, "quantity": json.Number("30.5"), "unit_cost": eur(80)}}})
	waitStock(t, admin, store, apples, "30.5", "0")

	cashier := p.login(t, "cashier", userPass)
	manager := p.login(t, "manager", userPass)
	approval := func(action, resource string) string {
		var out struct {
			Token string `json:"approval_token"`
		}
		cashier.do(201, post, "/api/v1/auth/approvals", map[string]any{"username": "manager", "password": userPass,
			"action": action, "resource_id": resource}).decode(t, &out)
		if out.Token == "" {
			t.Fatal("no approval token")
		}
		return out.Token
	}

	// --- Open the shift with a 100.00 float; 5.00 paid out for the window cleaner.
	shift := uuid.NewString()
	cashier.do(201, post, "/api/v1/shifts", map[string]any{"id": shift, "register_id": reg, "opening_float": eur(10000)})
	cashier.do(409, post, "/api/v1/shifts", map[string]any{"id": uuid.New(), "register_id": reg, "opening_float": eur(0)}) // one per register
	cashier.do(201, post, "/api/v1/shifts/"+shift+"/cash-movements", map[string]any{"id": uuid.New(), "type": "paid_out", "amount": eur(500), "reason": "window cleaner"})

	// --- Sale 1: a cart, paid cash with change.
	// bread 2 × 2.99 = 5.98 (tax 5.98·21/121 = 1.0378 → 1.04); apples 0.75 kg × 1.99 = 1.4925 → 1.49
	// (tax 1.49·9/109 = 0.123 → 0.12); wine 10.00 (tax 1.7355 → 1.74). Total 17.47, tax 2.90;
	// 20.00 cash → 2.53 change. Receipt 1.
	s1 := uuid.NewString()
	s1BreadLine := uuid.NewString()
	opened := cashier.do(201, post, "/api/v1/sales", map[string]any{"id": s1, "store_id": store, "register_id": reg, "shift_id": shift,
		"lines": []any{map[string]any{"id": s1BreadLine, "product_id": bread, "quantity": 2}}}).Map(t)
	checkSale(t, "sale 1 opened", opened, "open", 0, 598, 0, 104, 598, 0, 0, [2]int64{104, 598})
	cashier.do(200, post, "/api/v1/sales/"+s1+"/lines", map[string]any{"id": uuid.New(), "product_id": apples, "quantity": json.Number("0.750")})
	cashier.do(422, post, "/api/v1/sales/"+s1+"/lines", map[string]any{"id": uuid.New(), "product_id": bread, "quantity": json.Number("1.5")}) // not by weight
	cashier.do(200, post, "/api/v1/sales/"+s1+"/lines", map[string]any{"id": uuid.New(), "product_id": wine, "quantity": 1})
	cashier.do(409, post, "/api/v1/sales/"+s1+"/complete", nil) // not paid yet
	cashier.do(200, post, "/api/v1/sales/"+s1+"/payments", map[string]any{"id": uuid.New(), "tender": "cash", "amount": eur(2000)})
	done1 := cashier.do(200, post, "/api/v1/sales/"+s1+"/complete", nil).Map(t)
	checkSale(t, "sale 1", done1, "completed", 1, 1747, 0, 290, 1747, 2000, 253, [2]int64{104, 598}, [2]int64{12, 149}, [2]int64{174, 1000})
	checkSale(t, "GET sale 1", cashier.do(200, get, "/api/v1/sales/"+s1, nil).Map(t), "completed", 1, 1747, 0, 290, 1747, 2000, 253,
		[2]int64{104, 598}, [2]int64{12, 149}, [2]int64{174, 1000})

	// --- Sale 2: one shot, by card. wine 2 × 10.00 (tax 3.4711 → 3.47) + bread 2.99 (tax 0.5189 →
	// 0.52): 22.99, tax 3.99, no change. Receipt 2.
	s2 := uuid.NewString()
	done2 := cashier.do(201, post, "/api/v1/sales", map[string]any{"id": s2, "store_id": store, "register_id": reg, "shift_id": shift, "complete": true,
		"lines":    []any{map[string]any{"id": uuid.New(), "product_id": wine, "quantity": 2}, map[string]any{"id": uuid.New(), "product_id": bread, "quantity": 1}},
		"payments": []any{map[string]any{"id": uuid.New(), "tender": "card", "amount": eur(2299), "reference": "auth-0042"}}}).Map(t)
	checkSale(t, "sale 2", done2, "completed", 2, 2299, 0, 399, 2299, 2299, 0, [2]int64{347, 2000}, [2]int64{52, 299})
	// A card paying more than the total is refused and uses no receipt number.
	cashier.do(422, post, "/api/v1/sales", map[string]any{"id": uuid.New(), "store_id": store, "register_id": reg, "shift_id": shift, "complete": true,
		"lines":    []any{map[string]any{"id": uuid.New(), "product_id": bread, "quantity": 1}},
		"payments": []any{map[string]any{"id": uuid.New(), "tender": "card", "amount": eur(300)}}})

	// --- Sale 3: split tender. bread 3 × 2.99 = 8.97 (tax 1.5568 → 1.56) + apples 1.25 kg × 1.99 =
	// 2.4875 → 2.49 (tax 0.2056 → 0.21): 11.46, tax 1.77. 5.00 card + 10.00 cash → 3.54 change,
	// from the cash (6.46 cash kept). Receipt 3.
	s3 := uuid.NewString()
	s3BreadLine := uuid.NewString()
	done3 := cashier.do(201, post, "/api/v1/sales", map[string]any{"id": s3, "store_id": store, "register_id": reg, "shift_id": shift, "complete": true,
		"lines": []any{map[string]any{"id": s3BreadLine, "product_id": bread, "quantity": 3}, map[string]any{"id": uuid.New(), "product_id": apples, "quantity": json.Number("1.25")}},
		"payments": []any{map[string]any{"id": uuid.New(), "tender": "card", "amount": eur(500)},
			map[string]any{"id": uuid.New(), "tender": "cash", "amount": eur(1000)}}}).Map(t)
	checkSale(t, "sale 3", done3, "completed", 3, 1146, 0, 177, 1146, 1500, 354, [2]int64{156, 897}, [2]int64{21, 249})

	// Stock after the three sales (through the sale-stock policy): bread 50 − 2 − 1 − 3 = 44,
	// wine 20 − 1 − 2 = 17, apples 30.5 − 0.75 − 1.25 = 28.5.
	waitStock(t, cashier, store, bread, "44", "0")
	waitStock(t, cashier, store, wine, "17", "0")
	waitStock(t, cashier, store, apples, "28.5", "0")

	// --- A partial return with restock: 1 of the 3 bread of sale 3, refunded in cash: its
	// apportioned net plus tax, 8.97 / 3 = 2.99.
	ret1 := uuid.NewString()
	r1 := cashier.do(201, post, "/api/v1/returns", map[string]any{"id": ret1, "sale_id": s3, "shift_id": shift,
		"lines":   []any{map[string]any{"sale_line_id": s3BreadLine, "quantity": 1, "restock": true, "reason": "damaged"}},
		"refunds": []any{map[string]any{"id": uuid.New(), "tender": "cash", "amount": eur(299)}}}).Map(t)
	if amount(t, r1, "total") != 299 || amount(t, r1["lines"].([]any)[0].(map[string]any), "refund") != 299 {
		t.Errorf("return 1 = %v, want a 2.99 refund", r1)
	}
	// Only 2 bread of that line are left to return.
	cashier.do(409, post, "/api/v1/returns", map[string]any{"id": uuid.New(), "sale_id": s3, "shift_id": shift,
		"lines": []any{map[string]any{"sale_line_id": s3BreadLine, "quantity": 3, "restock": false, "reason": "damaged"}}})
	checkSale(t, "sale 3 after its return", cashier.do(200, get, "/api/v1/sales/"+s3, nil).Map(t), "completed", 3, 1146, 0, 177, 1146, 1500, 354,
		[2]int64{156, 897}, [2]int64{21, 249})

	// --- A no-receipt return of one bread, restocked: needs a manager's approval; refunded at
	// the current price (2.99) in store credit.
	ret2 := uuid.NewString()
	noReceipt := map[string]any{"id": ret2, "store_id": store, "shift_id": shift,
		"lines": []any{map[string]any{"product_id": bread, "quantity": 1, "restock": true, "reason": "gift"}}}
	if r := cashier.do(422, post, "/api/v1/returns", noReceipt); !strings.Contains(string(r.Body), "approval_required") {
		t.Errorf("no-receipt return without approval = %s", r.Body)
	}
	r2 := cashier.do(201, post, "/api/v1/returns", noReceipt, "X-Approval-Token", approval("return.no_receipt", ret2)).Map(t)
	if amount(t, r2, "total") != 299 || r2["no_receipt"] != true || r2["approved_by"] == "" {
		t.Errorf("no-receipt return = %v", r2)
	}
	if refunds, _ := r2["refunds"].([]any); len(refunds) != 1 || refunds[0].(map[string]any)["tender"] != "store_credit" {
		t.Errorf("no-receipt refunds = %v, want one in store credit", r2["refunds"])
	}
	manager.do(200, get, "/api/v1/returns/"+ret2, nil)
	// Both returns restock one bread: 44 + 2 = 46.
	waitStock(t, cashier, store, bread, "46", "0")

	// --- A count of the wine: 16 found where 17 were expected.
	cnt := manager.do(201, post, "/api/v1/inventory/counts", map[string]any{"id": uuid.New(), "location_id": store,
		"lines": []any{map[string]any{"product_id": wine, "counted": 16}}}).Map(t)
	if ln := cnt["lines"].([]any)[0].(map[string]any); ln["expected"] != 17.0 || ln["counted"] != 16.0 || ln["variance"] != -1.0 {
		t.Errorf("count = %v, want expected 17, counted 16, variance −1", cnt)
	}
	waitStock(t, manager, store, wine, "16", "0")

	// --- A transfer of 10 bread to the depot: in transit in between, netting to zero.
	tr := uuid.NewString()
	if out := admin.do(201, post, "/api/v1/inventory/transfers", map[string]any{"id": tr, "from_location_id": store, "to_location_id": depot,
		"lines": []any{map[string]any{"product_id": bread, "quantity": 10}}}).Map(t); out["status"] != "in_transit" {
		t.Errorf("transfer = %v", out)
	}
	waitStock(t, admin, store, bread, "36", "10")
	waitStock(t, admin, depot, bread, "0", "0")
	if out := admin.do(200, post, "/api/v1/inventory/transfers/"+tr+"/receive", nil).Map(t); out["status"] != "received" {
		t.Errorf("receive = %v", out)
	}
	waitStock(t, admin, store, bread, "36", "0")
	waitStock(t, admin, depot, bread, "10", "0")

	// --- Close the shift. Expected cash = 100.00 float + (20.00 − 2.53) + (10.00 − 3.54) cash
	// sales − 2.99 cash refund − 5.00 paid out = 115.94. Counted 112.94: 3.00 short, beyond the
	// 1.00 tolerance, so the manager approves. Z number 1.
	x := cashier.do(200, get, "/api/v1/shifts/"+shift+"/report", nil).Map(t)
	if got := []int64{amount(t, x, "opening_float"), amount(t, x, "cash_sales"), amount(t, x, "cash_refunds"), amount(t, x, "paid_out"), amount(t, x, "expected_cash")}; fmt.Sprint(got) != fmt.Sprint([]int64{10000, 2393, 299, 500, 11594}) {
		t.Errorf("X report (float, cash sales, cash refunds, paid out, expected) = %v, want [10000 2393 299 500 11594]: %v", got, x)
	}
	if x["status"] != "open" || x["sales_count"] != 3.0 {
		t.Errorf("X report = %v, want open with 3 sales", x)
	}
	if r := cashier.do(422, post, "/api/v1/shifts/"+shift+"/close", map[string]any{"counted_cash": eur(11294)}); !strings.Contains(string(r.Body), "shift.close_over_short") {
		t.Errorf("close beyond tolerance = %s", r.Body)
	}
	z := cashier.do(200, post, "/api/v1/shifts/"+shift+"/close", map[string]any{"counted_cash": eur(11294)},
		"X-Approval-Token", approval("shift.close_over_short", shift)).Map(t)
	if amount(t, z, "expected_cash") != 11594 || amount(t, z, "counted_cash") != 11294 || amount(t, z, "over_short") != -300 || z["z_number"] != 1.0 {
		t.Errorf("close = %v, want expected 115.94, counted 112.94, over/short −3.00, Z 1", z)
	}
	cashier.do(409, post, "/api/v1/sales", map[string]any{"id": uuid.New(), "store_id": store, "register_id": reg, "shift_id": shift,
		"lines": []any{map[string]any{"id": uuid.New(), "product_id": bread, "quantity": 1}}}) // a closed shift sells nothing

	// The next shift's first sale continues the register's receipt numbers: 4, and its close is Z 2.
	shift2 := uuid.NewString()
	cashier.do(201, post, "/api/v1/shifts", map[string]any{"id": shift2, "register_id": reg, "opening_float": eur(5000)})
	s4 := cashier.do(201, post, "/api/v1/sales", map[string]any{"id": uuid.New(), "store_id": store, "register_id": reg, "shift_id": shift2, "complete": true,
		"lines":    []any{map[string]any{"id": uuid.New(), "product_id": wine, "quantity": 1}},
		"payments": []any{map[string]any{"id": uuid.New(), "tender": "cash", "amount": eur(1000)}}}).Map(t)
	checkSale(t, "sale 4", s4, "completed", 4, 1000, 0, 174, 1000, 1000, 0, [2]int64{174, 1000})
	z2 := cashier.do(200, post, "/api/v1/shifts/"+shift2+"/close", map[string]any{"counted_cash": eur(6000)}).Map(t)
	if amount(t, z2, "over_short") != 0 || z2["z_number"] != 2.0 {
		t.Errorf("second close = %v, want balanced, Z 2", z2)
	}
	waitStock(t, admin, store, wine, "15", "0")

	// --- Read models and reports, consistent with the last command.
	pos := strconv.FormatUint(max(admin.position(), cashier.position(), manager.position()), 10)
	cw := []string{"X-Consistent-With", pos}
	today := time.Now().In(mustZone(t, "Europe/Amsterdam")).Format(time.DateOnly)
	var rep struct {
		Items []map[string]any `json:"items"`
	}
	admin.do(200, get, "/api/v1/reports/sales?from="+today+"&to="+today+"&store_id="+store+"&group_by=day", nil, cw...).decode(t, &rep)
	// Four sales: gross 17.47 + 22.99 + 11.46 + 10.00 = 61.92, tax 2.90 + 3.99 + 1.77 + 1.74 = 10.40;
	// refunded 2.99 (the receipted return) + 2.99 (the no-receipt return).
	if len(rep.Items) != 1 {
		t.Fatalf("sales report rows = %v, want one day", rep.Items)
	}
	row := rep.Items[0]
	num := func(k string) int64 { f, _ := row[k].(float64); return int64(f) }
	if row["day"] != today || row["store_id"] != store || num("transactions") != 4 || num("gross") != 6192 || num("discount") != 0 || num("tax") != 1040 {
		t.Errorf("sales report row = %v, want day %s, 4 transactions, gross 6192, tax 1040", row, today)
	}
	if num("net") != num("gross")-num("discount")-num("refunded") {
		t.Errorf("sales report net %d ≠ gross − discount − refunded: %v", num("net"), row)
	}
	if num("refunded") != 598 {
		t.Errorf("sales report refunded = %d, want 598 (both returns): %v", num("refunded"), row)
	}
	// quantity: 2 + 0.75 + 1 + 2 + 1 + 3 + 1.25 + 1 = 12
	if q, ok := row["quantity"]; !ok || !numEq(json.Number(fmt.Sprint(q)), "12") {
		t.Errorf("sales report quantity = %v, want 12", row["quantity"])
	}

	admin.do(200, get, "/api/v1/reports/sales?from="+today+"&to="+today+"&store_id="+store+"&group_by=tender", nil, cw...).decode(t, &rep)
	tenders := map[string]int64{}
	for _, r := range rep.Items {
		g, _ := r["gross"].(float64)
		tenders[fmt.Sprint(r["tender"])] = int64(g)
	}
	// Cash kept net of change: 17.47 + 6.46 + 10.00 = 33.93; card 22.99 + 5.00 = 27.99.
	if tenders["cash"] != 3393 || tenders["card"] != 2799 {
		t.Errorf("tender report = %v, want cash 3393, card 2799", rep.Items)
	}

	var sales struct {
		Items []map[string]any `json:"items"`
	}
	admin.do(200, get, "/api/v1/sales?store_id="+store+"&status=completed", nil, cw...).decode(t, &sales)
	receipts := map[float64]bool{}
	for _, s := range sales.Items {
		receipts[s["receipt_number"].(float64)] = true
	}
	if len(sales.Items) != 4 || !receipts[1] || !receipts[2] || !receipts[3] || !receipts[4] {
		t.Errorf("sales list = %v, want receipts 1–4", sales.Items)
	}
	var shifts struct {
		Items []map[string]any `json:"items"`
	}
	admin.do(200, get, "/api/v1/shifts?status=closed", nil, cw...).decode(t, &shifts)
	if len(shifts.Items) != 2 {
		t.Errorf("closed shifts = %v, want 2", shifts.Items)
	}
	for _, s := range shifts.Items {
		if s["id"] == shift && (s["z_number"] != 1.0 || amount(t, s, "over_short") != -300 || amount(t, s, "expected_cash") != 11594) {
			t.Errorf("shift read model = %v", s)
		}
	}
	var levels struct {
		Items []stockLevel `json:"items"`
	}
	admin.do(200, get, "/api/v1/inventory?location_id="+store, nil, cw...).decode(t, &levels)
	want := map[string]string{bread: "36", wine: "15", apples: "28.5"}
	for _, l := range levels.Items {
		if w, ok := want[l.ProductID]; !ok || !numEq(l.OnHand, w) {
			t.Errorf("stock level read model %+v, want on hand %s", l, w)
		}
		delete(want, l.ProductID)
	}
	if len(want) != 0 {
		t.Errorf("stock levels missing %v: %+v", want, levels.Items)
	}
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
