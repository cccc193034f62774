package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz/authztest"
)

// TestEveryRouteAnswers503WhilePostgresIsDown takes PostgreSQL away under a running API
// (every connection closed, new ones refused) and walks every mounted route as the admin:
// nothing answers 500; every read (all GET routes but the static OpenAPI document) and every
// command that gets past validation answers 503 with Retry-After.
func TestEveryRouteAnswers503WhilePostgresIsDown(t *testing.T) {
	e := apitest.New(t, apitest.Options{Proxy: true, APILimit: auth.PerSecond(100000, 100000)})
	e.CutDatabase()
	unavailable := 0
	for _, route := range e.API.Routes.Routes() {
		if strings.HasSuffix(route.Path, "/auth/logout") {
			continue // it would end the admin's session
		}
		path := authztest.Path(route, func(string) string { return authztest.SampleID })
		var body any
		if route.Method == http.MethodPost {
			body = map[string]any{}
		}
		r := e.Do(route.Method, path, e.AdminToken, body)
		switch {
		case r.Status == http.StatusServiceUnavailable:
			unavailable++
			if r.Header.Get("Retry-After") == "" {
				t.Errorf("%s %s: 503 without Retry-After", route.Method, route.Path)
			}
		case r.Status >= 500:
			t.Errorf("%s %s: %d %s, want 503 when the database is down", route.Method, route.Path, r.Status, r.Body)
		case route.Method == http.MethodGet && !strings.HasSuffix(route.Path, "/openapi.yaml"):
			t.Errorf("%s %s: %d %s, want 503: every read needs the database", route.Method, route.Path, r.Status, r.Body)
		}
	}
	if unavailable < 20 {
		t.Errorf("only %d routes answered 503", unavailable)
	}
}
