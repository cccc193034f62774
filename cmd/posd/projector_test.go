package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore/audit"
	"github.com/odata-pos/pos/internal/poll"
)

// call sends a JSON request to s and decodes the JSON answer into out (when not nil).
func (s *server) call(t *testing.T, method, path, token string, body any, out any, headers ...string) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

// TestServerProjectsWhatItRecords runs posd in both roles: a product created over the API
// reaches the product list (a read model folded by the projector worker), and a client that
// sends the command's position in X-Consistent-With reads its own write.
func TestServerProjectsWhatItRecords(t *testing.T) {
	env := testEnv(t)
	env["POS_BOOTSTRAP_ADMIN_USERNAME"] = "admin"
	env["POS_BOOTSTRAP_ADMIN_PASSWORD"] = "correct-horse-battery-staple"
	s := startServer(t, env, nil, nil)

	var login struct {
		AccessToken string `json:"access_token"`
	}
	if code := s.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "correct-horse-battery-staple"}, &login); code != 200 {
		t.Fatalf("login = %d", code)
	}
	tok := login.AccessToken
	if code := s.call(t, "POST", "/api/v1/tax-codes", tok, map[string]any{"code": "STD", "name": "Standard", "rate_bp": 2100}, nil); code != 201 {
		t.Fatalf("create tax code = %d", code)
	}
	var product struct {
		ID       string `json:"id"`
		Position uint64 `json:"position"`
	}
	if code := s.call(t, "POST", "/api/v1/products", tok, map[string]any{
		"sku": "COF-1", "name": "Coffee beans", "category": "coffee", "tax_code": "STD",
		"price": map[string]any{"amount": 1299, "currency": "EUR"}, "track_stock": true,
	}, &product); code != 201 || product.Position == 0 {
		t.Fatalf("create product = %d %+v", code, product)
	}
	var list struct {
		Items []struct {
			ID  string `json:"id"`
			SKU string `json:"sku"`
		} `json:"items"`
	}
	code := s.call(t, "GET", "/api/v1/products?q=coffee", tok, nil, &list, "X-Consistent-With", fmt.Sprint(product.Position))
	if code != 200 || len(list.Items) != 1 || list.Items[0].ID != product.ID {
		t.Fatalf("products after the create = %d %+v, want the new product", code, list)
	}

	// /projections and /stats call a projection's place by one name: checkpoint.
	var projs struct {
		Items []map[string]any `json:"items"`
	}
	var stats struct {
		Projections []map[string]any `json:"projections"`
	}
	if code := s.call(t, "GET", "/api/v1/projections", tok, nil, &projs); code != 200 {
		t.Fatalf("projections = %d", code)
	}
	if code := s.call(t, "GET", "/api/v1/stats", tok, nil, &stats, "X-Consistent-With", fmt.Sprint(product.Position)); code != 200 {
		t.Fatalf("stats = %d", code)
	}
	for route, items := range map[string][]map[string]any{"/projections": projs.Items, "/stats": stats.Projections} {
		caughtUp := false
		for _, it := range items {
			cp, ok := it["checkpoint"].(float64)
			if _, old := it["position"]; !ok || old {
				t.Errorf("%s item %v: want a checkpoint and no position", route, it)
			}
			caughtUp = caughtUp || uint64(cp) >= product.Position
		}
		if !caughtUp {
			t.Errorf("%s: no projection has a checkpoint at or past the product (%d): %v", route, product.Position, items)
		}
	}
}

// TestServerSealsTheLogForAuditors: the projector role runs the audit checkpointer, so an
// auditor's verify reports the events as checked against a keyed checkpoint.
func TestServerSealsTheLogForAuditors(t *testing.T) {
	env := testEnv(t)
	env["POS_BOOTSTRAP_ADMIN_USERNAME"] = "admin"
	env["POS_BOOTSTRAP_ADMIN_PASSWORD"] = "correct-horse-battery-staple"
	env["POS_AUDIT_KEY"] = "hex:" + strings.Repeat("ab", 32)
	s := startServer(t, env, nil, nil)
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if code := s.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "correct-horse-battery-staple"}, &login); code != 200 {
		t.Fatalf("login = %d", code)
	}
	var report map[string]any
	poll.Eventually(t, 30*time.Second, func() bool {
		report = nil
		if code := s.call(t, "GET", "/api/v1/audit/verify", login.AccessToken, nil, &report); code != 200 {
			t.Fatalf("verify = %d %v", code, report)
		}
		return report["ok"] == true && report["checkpoints_checked"] != nil && report["checkpoints_checked"] != float64(0)
	}, func() string { return fmt.Sprintf("no keyed checkpoint verified: %v", report) })

	// Every seal is also published outside the database: in the log at info level and, the
	// newest, in a metric; both in the text form that posctl audit verify --expect takes.
	key, _ := audit.ParseKey(env["POS_AUDIT_KEY"])
	// The metric first: a seal is logged before it is exported.
	_, metrics := s.get(t, "/metrics")
	m := regexp.MustCompile(`pos_audit_seal_info\{seal="([^"]+)"\} 1`).FindStringSubmatch(metrics)
	var logged []string
	for _, line := range strings.Split(s.logs.String(), "\n") {
		var rec struct{ Level, Msg, Seal string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "audit seal" && rec.Level == "INFO" {
			logged = append(logged, rec.Seal)
		}
	}
	if len(logged) == 0 || m == nil {
		t.Fatalf("seals logged %v; metric %v", logged, m)
	}
	for _, seal := range append(logged, m[1]) {
		if cp, err := audit.ParseSeal(seal); err != nil || !cp.Valid(key) {
			t.Fatalf("published seal %q: %v, valid %v", seal, err, err == nil && cp.Valid(key))
		}
	}
	if !slices.Contains(logged, m[1]) {
		t.Fatalf("the metric's seal %s was never logged (%v)", m[1], logged)
	}
}
