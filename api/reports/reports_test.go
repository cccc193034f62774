package reports_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
	"github.com/odata-pos/pos/eventstore"
)

// scriptedDay builds two stores in different zones (Johannesburg-like UTC+2 with prices
// including tax; New York with prices excluding tax), three products, receipts, ten sales by
// two cashiers in three tenders (one at 23:30 and one at 00:30 local) and three returns.
func scriptedDay(t *testing.T, w *world) eventstore.Position {
	t.Helper()
	w.Must(http.StatusCreated, "POST", "/api/v1/tax-codes", w.AdminToken, map[string]any{"code": "STD", "name": "Standard", "rate_bp": 2100})
	a := w.store("A", "Etc/GMT-2", true)
	b := w.store("B", "America/New_York", false)
	bread := w.product("BREAD", "bakery", 121, 50)
	wine := w.product("WINE", "drinks", 1210, 700)
	cake := w.product("CAKE", "bakery", 242, 100)
	ann, bob := w.cashier("ann"), w.cashier("bob")
	w.receive(a, bread, 100, 50)
	w.receive(a, bread, 50, 56) // moving average (100×50 + 50×56) / 150 = 52
	w.receive(a, wine, 20, 600)
	w.receive(b, bread, 40, 45)
	w.receive(b, wine, 10, 610)
	w.receive(b, wine, 5, 613) // (10×610 + 5×613) / 15 = 611
	// cake has no receipt: its sales cost the catalog cost.

	s1 := w.sell(a, ann, a.at(0, 9, 15), "card", 0, line{bread, 3, 0}, line{wine, 2, 500})
	w.sell(a, ann, a.at(0, 10, 40), "cash", 5000, line{cake, 2, 0}, line{bread, 1, 0})
	s3 := w.sell(a, bob, a.at(0, 13, 5), "card", 0, line{wine, 1, 0})
	w.sell(a, bob, a.at(0, 18, 20), "gift_card", 0, line{bread, 5, 0}, line{cake, 1, 0})
	w.sell(a, ann, a.at(0, 23, 30), "cash", 0, line{bread, 2, 0})       // 21:30 UTC: that local day, hour 23
	late := w.sell(a, bob, a.at(1, 0, 30), "card", 0, line{wine, 1, 0}) // 22:30 UTC the same UTC day: next local day, hour 0
	t1 := w.sell(b, ann, b.at(0, 11, 0), "card", 0, line{bread, 4, 0}, line{wine, 1, 1000})
	w.sell(b, bob, b.at(0, 15, 30), "cash", 2000, line{bread, 7, 0})
	w.sell(b, bob, b.at(0, 20, 45), "card", 0, line{wine, 2, 0}, line{cake, 3, 0})
	w.sell(b, ann, b.at(0, 21, 50), "cash", 0, line{cake, 1, 0})

	w.giveBack(s1, 1, bob, a.at(0, 19, 0), true, "damaged")
	w.giveBack(s3, 0, ann, a.at(0, 19, 30), false, "changed_mind")
	w.giveBack(t1, 0, bob, b.at(0, 21, 0), true, "damaged")
	_ = late
	// Receipts 6, tracked sale lines 15, restocked return lines 2.
	return w.caughtUp(6 + 15 + 2)
}

func TestEveryReportEqualsTheTotalsOfTheScriptedDay(t *testing.T) {
	w := newWorld(t, apitest.Options{})
	head := scriptedDay(t, w)
	a := w.stores["A"]
	tok := w.AdminToken

	groups := map[string]string{"day": "", "product": "product_id", "category": "category", "cashier": "cashier_id", "hour": "hour"}
	for g, col := range groups {
		path := "/api/v1/reports/sales?group_by=day"
		if g != "day" {
			path += "," + g
		}
		rows := w.rows(tok, path, head)
		want := w.exp.tables[g]
		if len(rows) != len(want) {
			t.Fatalf("%s: %d rows, want %d: %v", path, len(rows), len(want), rows)
		}
		for _, r := range rows {
			key := []string{str(r["day"]), str(r["store_id"])}
			if col != "" {
				key = append(key, str(r[col]))
			}
			f, ok := want[strings.Join(key, "|")]
			if !ok {
				t.Fatalf("%s: unexpected row %v", path, r)
			}
			checkRow(t, path, r, f)
		}
	}

	// Tenders: money taken net of change, refunds in the sale's tender.
	rows := w.rows(tok, "/api/v1/reports/sales?group_by=day,tender", head)
	if len(rows) != len(w.exp.tender) {
		t.Fatalf("tender: %d rows, want %d: %v", len(rows), len(w.exp.tender), rows)
	}
	for _, r := range rows {
		f := w.exp.tender[str(r["day"])+"|"+str(r["store_id"])+"|"+str(r["tender"])]
		if f == nil || num(r["transactions"]) != f.tx || num(r["gross"]) != f.gross || num(r["refunded"]) != f.refunded ||
			num(r["returns"]) != f.returns || num(r["net"]) != f.gross-f.refunded || num(r["discount"]) != 0 {
			t.Fatalf("tender row %v, want %+v", r, f)
		}
	}

	// Returns by reason.
	rows = w.rows(tok, "/api/v1/reports/returns?group_by=day", head)
	if len(rows) != len(w.exp.reason) {
		t.Fatalf("returns: %d rows, want %d: %v", len(rows), len(w.exp.reason), rows)
	}
	for _, r := range rows {
		f := w.exp.reason[str(r["day"])+"|"+str(r["store_id"])+"|"+str(r["reason"])]
		if f == nil || num(r["returns"]) != f.returns || num(r["lines"]) != f.tx || str(r["quantity"]) != qty(f.retQty) ||
			str(r["restocked_quantity"]) != qty(f.qty) || num(r["refunded"]) != f.refunded || num(r["refunded_tax"]) != f.refTax {
			t.Fatalf("returns row %v, want %+v", r, f)
		}
	}

	// Inventory valuation: on hand × moving-average cost of receipts.
	rows = w.rows(tok, "/api/v1/reports/inventory-valuation", head)
	if len(rows) != len(w.exp.stock) {
		t.Fatalf("inventory: %d rows, want %d: %v", len(rows), len(w.exp.stock), rows)
	}
	for _, r := range rows {
		found := false
		for key, s := range w.exp.stock {
			if key[0].String() != str(r["store_id"]) || key[1].String() != str(r["product_id"]) {
				continue
			}
			found = true
			avg := w.exp.unitCost(key[0], key[1]) // the catalog cost where nothing was received
			if str(r["on_hand"]) != strconv.FormatInt(s.onHand, 10) || num(r["avg_unit_cost"]) != avg || num(r["value"]) != s.onHand*avg {
				t.Fatalf("inventory row %v, want on hand %d at %d", r, s.onHand, avg)
			}
		}
		if !found {
			t.Fatalf("unexpected inventory row %v", r)
		}
	}

	// Shifts.
	rows = w.rows(tok, "/api/v1/reports/shifts", head)
	if len(rows) != len(w.exp.shifts) {
		t.Fatalf("shifts: %v", rows)
	}
	for _, r := range rows {
		var want *shiftExp
		for id, s := range w.exp.shifts {
			if id.String() == str(r["shift_id"]) {
				want = s
			}
		}
		if want == nil || str(r["day"]) != want.day || num(r["sales_count"]) != want.sales || num(r["sales_total"]) != want.salesTotal ||
			num(r["returns_count"]) != want.rets || num(r["refunds_total"]) != want.refunds || num(r["cash_sales"]) != want.cashSale ||
			str(r["status"]) != "open" || num(r["opening_float"]) != 10000 {
			t.Fatalf("shift row %v, want %+v", r, want)
		}
	}

	// Top products in store A, ranked by net over all days.
	rows = w.rows(tok, "/api/v1/reports/top-products?store_id="+a.id.String(), head)
	net := map[string]int64{}
	for k, f := range w.exp.tables["product"] {
		if parts := strings.Split(k, "|"); parts[1] == a.id.String() {
			net[parts[2]] += f.gross - f.disc - f.refunded
		}
	}
	if len(rows) != len(net) {
		t.Fatalf("top products: %v, want %v", rows, net)
	}
	for i, r := range rows {
		if num(r["net"]) != net[str(r["product_id"])] || num(r["rank"]) != int64(i+1) || (i > 0 && num(rows[i-1]["net"]) < num(r["net"])) {
			t.Fatalf("top products row %d %v, want net %d", i, r, net[str(r["product_id"])])
		}
	}

	// Stats.
	st := w.Must(http.StatusOK, "GET", "/api/v1/stats", tok, nil, "X-Consistent-With", fmt.Sprint(uint64(head))).Map(t)
	if st["sales"] != float64(10) || st["returns"] != float64(3) || st["products"] != float64(3) || st["stores"] != float64(2) || st["shifts"] != float64(2) {
		t.Fatalf("stats %v", st)
	}
	ps := st["projections"].([]any)[0].(map[string]any)
	if ps["name"] != "reports" || ps["checkpoint"].(float64) < float64(head) || ps["lag_events"] != float64(0) {
		t.Fatalf("stats projections %v", st["projections"])
	}
}

func TestBusinessDayFollowsTheStoreTimeZone(t *testing.T) {
	w := newWorld(t, apitest.Options{})
	head := scriptedDay(t, w)
	a := w.stores["A"]
	day0, day1 := a.at(0, 0, 0).Format(time.DateOnly), a.at(1, 0, 0).Format(time.DateOnly)
	q := "/api/v1/reports/sales?group_by=day,hour&store_id=" + a.id.String()
	hours := map[string]int64{}
	for _, r := range w.rows(w.AdminToken, q, head) {
		hours[str(r["day"])+" "+str(r["hour"])] = num(r["transactions"])
	}
	// 23:30 local (21:30 UTC) is on the local day at hour 23; 00:30 local (22:30 UTC, the same
	// UTC day) is on the next local day at hour 0.
	if hours[day0+" 23"] != 1 || hours[day1+" 0"] != 1 || hours[day0+" 21"] != 0 || hours[day0+" 22"] != 0 {
		t.Fatalf("hours %v", hours)
	}
	// from/to as dates are local days, inclusive.
	rows := w.rows(w.AdminToken, "/api/v1/reports/sales?group_by=day&from="+day0+"&to="+day0+"&store_id="+a.id.String(), head)
	if len(rows) != 1 || str(rows[0]["day"]) != day0 || num(rows[0]["transactions"]) != 5 {
		t.Fatalf("one local day: %v", rows)
	}
	// An RFC 3339 bound is converted to the store's local day: local midnight in UTC.
	from := a.at(1, 0, 0).UTC().Format(time.RFC3339)
	rows = w.rows(w.AdminToken, "/api/v1/reports/sales?group_by=day&from="+from+"&store_id="+a.id.String(), head)
	if len(rows) != 1 || str(rows[0]["day"]) != day1 || num(rows[0]["transactions"]) != 1 {
		t.Fatalf("from %s: %v", from, rows)
	}
	bad := w.Do("GET", "/api/v1/reports/sales?from=yesterday&group_by=week", w.AdminToken, nil)
	if bad.Status != http.StatusBadRequest || !strings.Contains(string(bad.Body), "group_by") || !strings.Contains(string(bad.Body), "from") {
		t.Fatalf("bad parameters: %d %s", bad.Status, bad.Body)
	}
}

func TestCSVAndStoreScoping(t *testing.T) {
	w := newWorld(t, apitest.Options{})
	head := scriptedDay(t, w)
	a, b := w.stores["A"], w.stores["B"]
	pos := fmt.Sprint(uint64(head))
	r := w.Must(http.StatusOK, "GET", "/api/v1/reports/sales?group_by=day,product", w.AdminToken, nil, "Accept", "text/csv", "X-Consistent-With", pos)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	wantHeader := []string{"day", "store_id", "product_id", "currency", "transactions", "quantity", "gross", "discount", "tax", "net", "refunded"}
	if !slices.Equal(header[:len(wantHeader)], wantHeader) {
		t.Fatalf("header %v", header)
	}
	jsonRows := w.rows(w.AdminToken, "/api/v1/reports/sales?group_by=day,product", head)
	if len(recs)-1 != len(jsonRows) || len(jsonRows) != len(w.exp.tables["product"]) {
		t.Fatalf("csv has %d rows, json %d", len(recs)-1, len(jsonRows))
	}
	for i, rec := range recs[1:] {
		for j, col := range header {
			if got, want := rec[j], str(jsonRows[i][col]); got != want {
				t.Fatalf("csv row %d %s = %q, json %q", i, col, got, want)
			}
		}
	}

	// A manager of store B sees store B only, and may not ask for store A.
	mgr := salestest.Token(t, w.API, "manager-b", authz.RoleManager, b.id.String())
	for _, r := range w.rows(mgr, "/api/v1/reports/sales?group_by=day", head) {
		if str(r["store_id"]) != b.id.String() {
			t.Fatalf("manager of B sees %v", r)
		}
	}
	w.Must(http.StatusForbidden, "GET", "/api/v1/reports/sales?store_id="+a.id.String(), mgr, nil)
	// Cashiers have no report permission.
	w.Must(http.StatusForbidden, "GET", "/api/v1/reports/sales", w.users["ann"].token, nil)
}

func checkRow(t *testing.T, path string, r map[string]any, f *fig) {
	t.Helper()
	net := f.gross - f.disc - f.refunded
	margin := net - (f.tax - f.refTax) - f.cost
	got := []int64{num(r["transactions"]), num(r["returns"]), num(r["gross"]), num(r["discount"]), num(r["tax"]), num(r["refunded"]),
		num(r["refunded_tax"]), num(r["net"]), num(r["cost"]), num(r["margin"])}
	want := []int64{f.tx, f.returns, f.gross, f.disc, f.tax, f.refunded, f.refTax, net, f.cost, margin}
	if !slices.Equal(got, want) || str(r["quantity"]) != qty(f.qty) || str(r["returned_quantity"]) != qty(f.retQty) || r["currency"] != cur {
		t.Fatalf("%s: row %v\n got  %v\n want %v (quantity %s, returned %s)", path, r, got, want, qty(f.qty), qty(f.retQty))
	}
}

func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// TestStatsShowThePoliciesLag: GET /stats reports each write-side policy's checkpoint and lag
// (here no policy runs, so every completed sale still waits for the sale-stock policy).
func TestStatsShowThePoliciesLag(t *testing.T) {
	w := newWorld(t, apitest.Options{})
	head := scriptedDay(t, w)
	st := w.Must(http.StatusOK, "GET", "/api/v1/stats", w.AdminToken, nil, "X-Consistent-With", fmt.Sprint(uint64(head))).Map(t)
	pols, _ := st["policies"].([]any)
	var sales map[string]any
	for _, p := range pols {
		if m := p.(map[string]any); m["name"] == "sale-stock" {
			sales = m
		}
	}
	if sales == nil || sales["checkpoint"] != float64(0) || sales["lag_events"] != float64(10) || sales["lag_seconds"].(float64) <= 0 ||
		sales["head_position"].(float64) < float64(head) {
		t.Fatalf("stats policies %v", st["policies"])
	}
}
