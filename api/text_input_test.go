package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz/authztest"
	"github.com/odata-pos/pos/api/cmdhttp"
)

// TestEveryRouteRefusesNULAndInvalidUTF8 sends every mounted route a NUL byte and invalid
// UTF-8 in a query parameter, a path variable, a JSON body string (POST routes that read a
// body) and the Idempotency-Key header (HTTP servers refuse a NUL there before the API sees
// it), as the admin: each is a 400 "invalid_text" naming where it was, never a 5xx
// (PostgreSQL stores neither, so before the check they reached it and failed as 500 or 503).
func TestEveryRouteRefusesNULAndInvalidUTF8(t *testing.T) {
	e := apitest.New(t, apitest.Options{APILimit: auth.PerSecond(100000, 100000)})
	h := e.Server.Config.Handler
	send := func(method, target, body string, header ...string) (int, problem) {
		var r *http.Request
		if body == "" {
			r = httptest.NewRequest(method, target, nil)
		} else {
			r = httptest.NewRequest(method, target, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
		}
		r.Header.Set("Authorization", "Bearer "+e.AdminToken)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var p problem
		_ = json.Unmarshal(rec.Body.Bytes(), &p)
		return rec.Code, p
	}
	bad := []struct{ name, query, path, json, raw string }{
		{"NUL", "%00", "a%00b", `a\u0000b`, "a\x00b"},
		{"invalid UTF-8", "%FF%FE", "a%FFb", "a\xffb", "a\xffb"},
	}
	routes := 0
	for _, route := range e.API.Routes.Routes() {
		if strings.HasSuffix(route.Path, "/auth/logout") {
			continue // a clean logout would end the admin's session
		}
		routes++
		sample := authztest.Path(route, func(string) string { return authztest.SampleID })
		post := route.Method == http.MethodPost
		for _, b := range bad {
			want := func(what, field string, status int, p problem) {
				t.Helper()
				if status != http.StatusBadRequest || p.Code != "invalid_text" || !p.names(field) {
					t.Errorf("%s %s, %s in %s: %d %+v, want 400 invalid_text naming %s", route.Method, route.Path, b.name, what, status, p, field)
				}
			}
			body := ""
			if post {
				body = "{}"
			}
			status, p := send(route.Method, sample+"?q="+b.query, body)
			want("a query parameter", "q", status, p)
			if strings.Contains(route.Path, "{") {
				path := authztest.Path(route, func(string) string { return b.path })
				status, p := send(route.Method, path, body)
				if status != http.StatusNotFound { // a variable with a pattern may not match at all
					name := route.Path[strings.Index(route.Path, "{")+1:]
					name = name[:strings.IndexAny(name, ":}")]
					want("a path variable", name, status, p)
				}
			}
			if post {
				status, p := send(route.Method, sample, `{"lines":[{"note":"`+b.json+`"}]}`)
				// A route that answers before reading its body (no such sale, say) or never reads
				// it answers as it does to an empty object.
				if base, _ := send(route.Method, sample, "{}"); status != base || base == http.StatusBadRequest || base >= 500 {
					want("a JSON string", "lines[0].note", status, p)
				}
				status, p = send(route.Method, sample, "{}", cmdhttp.HeaderIdempotencyKey, b.raw)
				want("Idempotency-Key", cmdhttp.HeaderIdempotencyKey, status, p)
			}
		}
	}
	if routes < 60 {
		t.Fatalf("only %d routes walked", routes)
	}

	// The login username, anonymous.
	for _, name := range []string{`ad\u0000min`, "ad\xffmin"} {
		r := e.Do(http.MethodPost, "/api/v1/auth/login", "", []byte(`{"username":"`+name+`","password":"admin-password-1"}`))
		var p problem
		_ = json.Unmarshal(r.Body, &p)
		if r.Status != http.StatusBadRequest || p.Code != "invalid_text" || !p.names("username") {
			t.Errorf("login as %q: %d %s, want 400 invalid_text naming username", name, r.Status, r.Body)
		}
	}
}

// problem is the part of a problem document the test reads.
type problem struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Errors []struct {
		Field string `json:"field"`
	} `json:"errors"`
}

// names reports whether p names field.
func (p problem) names(field string) bool {
	for _, f := range p.Errors {
		if f.Field == field {
			return true
		}
	}
	return false
}
