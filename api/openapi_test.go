package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/api"
	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/ops"
)

// loadOpenAPI parses and validates api/openapi.yaml (the embedded copy the server serves).
func loadOpenAPI(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIDocument())
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	return doc
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q, want 3.1", doc.OpenAPI)
	}
	// Every operation says who may call it, has an ID and documents a success.
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if _, ok := op.Extensions["x-permission"].(string); !ok {
				t.Errorf("%s: no x-permission", where)
			}
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", where)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %s also used by %s", where, op.OperationID, other)
			}
			ids[op.OperationID] = where
			ok2xx := false
			for code := range op.Responses.Map() {
				ok2xx = ok2xx || strings.HasPrefix(code, "2")
			}
			if !ok2xx {
				t.Errorf("%s: no success response", where)
			}
		}
	}
}

// documentedRoute is "METHOD /path" → x-permission of every operation of the document.
func documentedRoutes(doc *openapi3.T) map[string]string {
	out := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			perm, _ := op.Extensions["x-permission"].(string)
			out[method+" "+path] = perm
		}
	}
	return out
}

// opsRoutes returns the routes of the operational endpoints (mounted outside /api/v1 by
// cmd/posd), read from a router they are mounted on.
func opsRoutes(t testing.TB) map[string]string {
	t.Helper()
	r := mux.NewRouter()
	ops.Mount(r, ops.NewReadiness(slog.New(slog.DiscardHandler), nil, 0), prometheus.NewRegistry())
	unguarded, err := authz.Unguarded(r, nil) // every route: none is registered through authz
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, route := range unguarded {
		out[route] = authz.Public().String()
	}
	return out
}

// TestOpenAPIMatchesTheRouter: every route of the real router is documented with the same
// method, path template and access rule, and every documented operation exists. A route
// cannot ship undocumented, nor a documented one be dropped silently. The served document is
// the file.
func TestOpenAPIMatchesTheRouter(t *testing.T) {
	doc := loadOpenAPI(t)
	env := apitest.New(t, apitest.Options{})

	registered := opsRoutes(t)
	for _, r := range env.API.Routes.Routes() {
		registered[r.Method+" "+r.Path] = r.Access.String()
	}
	documented := documentedRoutes(doc)

	var missing, extra, wrongAccess []string
	for route, access := range registered {
		perm, ok := documented[route]
		switch {
		case !ok:
			missing = append(missing, route+" ("+access+")")
		case perm != access:
			wrongAccess = append(wrongAccess, route+": documented "+perm+", router "+access)
		}
	}
	for route := range documented {
		if _, ok := registered[route]; !ok {
			extra = append(extra, route)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	sort.Strings(wrongAccess)
	if len(missing) > 0 {
		t.Errorf("routes of the router missing from api/openapi.yaml:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("operations of api/openapi.yaml that the router does not have:\n  %s", strings.Join(extra, "\n  "))
	}
	if len(wrongAccess) > 0 {
		t.Errorf("x-permission differs from the route's access rule:\n  %s", strings.Join(wrongAccess, "\n  "))
	}
	if len(registered) < 60 {
		t.Fatalf("only %d routes registered; is the router complete?", len(registered))
	}

	// Served publicly, byte for byte.
	r := env.Must(http.StatusOK, http.MethodGet, "/api/v1/openapi.yaml", "", nil)
	if ct := r.Header.Get("Content-Type"); ct != api.OpenAPIContentType {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.Equal(r.Body, api.OpenAPIDocument()) {
		t.Errorf("served document differs from api/openapi.yaml")
	}
}

// TestOpenAPIOpsEndpoints validates the answers of /healthz and /readyz (outside /api/v1).
func TestOpenAPIOpsEndpoints(t *testing.T) {
	c := newContract(t, nil)
	r := mux.NewRouter()
	down := ops.NewCheck("redis", false, func(context.Context) error { return context.DeadlineExceeded })
	up := ops.NewCheck("postgres", true, func(context.Context) error { return nil })
	ops.Mount(r, ops.NewReadiness(slog.New(slog.DiscardHandler), nil, 0, up, down), prometheus.NewRegistry())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	c.base = srv.URL
	c.do(http.StatusOK, http.MethodGet, "/healthz", "", nil)
	c.do(http.StatusOK, http.MethodHead, "/healthz", "", nil)
	if rep := c.do(http.StatusOK, http.MethodGet, "/readyz", "", nil).Map(t); rep["status"] != ops.StatusDegraded {
		t.Fatalf("readyz %v", rep)
	}
	c.do(http.StatusOK, http.MethodGet, "/metrics", "", nil, "Accept", "text/plain")
}

// TestOpenAPIValidationRejectsWhatTheDocumentForbids shows the validation the other tests rely
// on bites: a sale answer without its fields, an undocumented status and a quantity with four
// decimals are all refused.
func TestOpenAPIValidationRejectsWhatTheDocumentForbids(t *testing.T) {
	router, err := gorillamux.NewRouter(loadOpenAPI(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	input := func(method, path, body string) *openapi3filter.RequestValidationInput {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer x")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: bearerAuth}}
	}
	respond := func(in *openapi3filter.RequestValidationInput, status int, contentType, body string) error {
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status,
			Header: http.Header{"Content-Type": {contentType}}, Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		return openapi3filter.ValidateResponse(ctx, out.SetBodyBytes([]byte(body)))
	}
	get := input(http.MethodGet, "/api/v1/sales/"+"0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11", "")
	if err := respond(get, http.StatusOK, "application/json", `{"id":"0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11"}`); err == nil {
		t.Error("a sale without status, lines and totals validated")
	}
	if err := respond(get, http.StatusTeapot, "application/problem+json", `{"type":"t","title":"t","status":418,"code":"x"}`); err == nil {
		t.Error("an undocumented status validated")
	}
	if err := respond(get, http.StatusNotFound, "application/problem+json", `{"title":"t","status":404}`); err == nil {
		t.Error("a problem without code validated")
	}
	line := func(qty string) string {
		return `{"id":"0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11","store_id":"0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11",` +
			`"register_id":"0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11","shift_id":"0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11",` +
			`"lines":[{"id":"0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11","product_id":"0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11","quantity":` + qty + `}]}`
	}
	if err := openapi3filter.ValidateRequest(ctx, input(http.MethodPost, "/api/v1/sales", line("1.375"))); err != nil {
		t.Errorf("a quantity with three decimals was refused: %v", err)
	}
	if err := openapi3filter.ValidateRequest(ctx, input(http.MethodPost, "/api/v1/sales", line("1.3755"))); err == nil {
		t.Error("a quantity with four decimals validated")
	}
	// The documented bounds (issue 11.1): money.MaxAmount and quantity.Max.
	movement := func(amount string) string {
		return `{"id":"0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11","type":"paid_in","reason":"x","amount":{"amount":` + amount + `,"currency":"EUR"}}`
	}
	movements := "/api/v1/shifts/0b8e4a52-5d6f-4a43-9f0c-2f1d1c5e8b11/cash-movements"
	if err := openapi3filter.ValidateRequest(ctx, input(http.MethodPost, movements, movement("100000000000"))); err != nil {
		t.Errorf("a paid in of money.MaxAmount was refused: %v", err)
	}
	if err := openapi3filter.ValidateRequest(ctx, input(http.MethodPost, movements, movement("9223372036854775807"))); err == nil {
		t.Error("a paid in of 2^63-1 validated")
	}
	if err := openapi3filter.ValidateRequest(ctx, input(http.MethodPost, "/api/v1/sales", line("10000001"))); err == nil {
		t.Error("a quantity beyond quantity.Max validated")
	}
}
