package reports_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/apitest"
)

// sellOne rings up one bread in store A now-ish and returns the commit position.
func sellOne(t *testing.T, w *world, minute int) uint64 {
	t.Helper()
	a := w.stores["A"]
	w.sell(a, w.users["ann"], a.at(1, 1, minute), "card", 0, line{w.prods["BREAD"], 1, 0})
	head, err := w.Store.HeadPosition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return uint64(head)
}

func dailyTransactions(t *testing.T, r *apitest.Response) int64 {
	t.Helper()
	var out struct {
		Items []map[string]any `json:"items"`
	}
	r.JSON(t, &out)
	var n int64
	for _, row := range out.Items {
		n += num(row["transactions"])
	}
	return n
}

// TestCacheIsNeverOlderThanTheAskedPosition: a cached answer is served only for the checkpoint
// it was computed at; a client that asks for its own newer write never gets the cached one.
func TestCacheIsNeverOlderThanTheAskedPosition(t *testing.T) {
	w := newWorld(t, apitest.Options{})
	head := scriptedDay(t, w)
	path := "/api/v1/reports/sales?group_by=day"
	pos := fmt.Sprint(uint64(head))
	first := w.Must(http.StatusOK, "GET", path, w.AdminToken, nil, "X-Consistent-With", pos)
	second := w.Must(http.StatusOK, "GET", path, w.AdminToken, nil, "X-Consistent-With", pos)
	if first.Header.Get("X-Cache") != "miss" || second.Header.Get("X-Cache") != "hit" || string(first.Body) != string(second.Body) ||
		first.Header.Get("X-Report-Position") != second.Header.Get("X-Report-Position") {
		t.Fatalf("first %v, second %v", first.Header, second.Header)
	}
	keys, err := w.Redis.Keys(context.Background(), "apitest:*reports:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("no report cache keys in Redis: %v %v", keys, err)
	}
	before := dailyTransactions(t, second)
	for i := range 5 {
		p := sellOne(t, w, i)
		r := w.Must(http.StatusOK, "GET", path, w.AdminToken, nil, "X-Consistent-With", strconv.FormatUint(p, 10))
		got, _ := strconv.ParseUint(r.Header.Get("X-Report-Position"), 10, 64)
		if got < p || dailyTransactions(t, r) != before+int64(i)+1 {
			t.Fatalf("after sale %d at %d: answer at %d with %d transactions, want %d (cache %s)", i, p, got,
				dailyTransactions(t, r), before+int64(i)+1, r.Header.Get("X-Cache"))
		}
	}
}

// TestReportsWorkWithRedisDown: with a dead Redis address every report still answers.
func TestReportsWorkWithRedisDown(t *testing.T) {
	w := newWorld(t, apitest.Options{RedisURL: "redis://127.0.0.1:1/0"})
	head := scriptedDay(t, w)
	for _, path := range []string{"/api/v1/reports/sales?group_by=day,tender", "/api/v1/reports/returns", "/api/v1/reports/inventory-valuation",
		"/api/v1/reports/top-products", "/api/v1/reports/shifts", "/api/v1/stats"} {
		for range 2 {
			r := w.Must(http.StatusOK, "GET", path, w.AdminToken, nil, "X-Consistent-With", fmt.Sprint(uint64(head)))
			if c := r.Header.Get("X-Cache"); c == "hit" {
				t.Fatalf("%s: a cache hit without Redis", path)
			}
		}
	}
	if n := len(w.rows(w.AdminToken, "/api/v1/reports/sales?group_by=day", head)); n != len(w.exp.tables["day"]) {
		t.Fatalf("%d daily rows without Redis, want %d", n, len(w.exp.tables["day"]))
	}
}

// TestConsistencyTimeout: a position the reports never reach answers 503 after about 5 s.
func TestConsistencyTimeout(t *testing.T) {
	w := newWorld(t, apitest.Options{})
	start := time.Now()
	r := w.Do("GET", "/api/v1/reports/sales", w.AdminToken, nil, "X-Consistent-With", "999999999")
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "consistency_timeout") {
		t.Fatalf("status %d %s", r.Status, r.Body)
	}
	if d := time.Since(start); d < 4*time.Second || d > 15*time.Second {
		t.Fatalf("answered after %s, want about 5 s", d)
	}
	w.Must(http.StatusBadRequest, "GET", "/api/v1/reports/sales", w.AdminToken, nil, "X-Consistent-With", "soon")
}
