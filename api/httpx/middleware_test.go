package httpx_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/httpx"
)

func TestRequestID(t *testing.T) {
	var seen string
	h := httpx.RequestID()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = httpx.RequestIDFrom(r.Context())
	}))
	for _, tt := range []struct {
		in      string
		keepsIn bool
	}{
		{"abc-123_x.y:z", true},
		{"", false},
		{"bad id\r\nX-Injected: 1", false},
		{strings.Repeat("a", 129), false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.in != "" {
			r.Header.Set(httpx.RequestIDHeader, tt.in)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		out := rec.Header().Get(httpx.RequestIDHeader)
		if out == "" || out != seen {
			t.Errorf("in %q: header %q, context %q", tt.in, out, seen)
		}
		if (out == tt.in) != tt.keepsIn {
			t.Errorf("in %q: out %q, keep = %v", tt.in, out, tt.keepsIn)
		}
	}
}

func TestRecover(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	rs := httpx.NewResponder(log)
	h := httpx.Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("db password is hunter2")
	}), httpx.RequestID(), httpx.Recover(rs))
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/boom", nil)
	r.Header.Set(httpx.RequestIDHeader, "rid-7")
	h.ServeHTTP(rec, r)
	if rec.Code != 500 || rec.Header().Get("Content-Type") != httpx.ProblemContentType {
		t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if strings.Contains(rec.Body.String(), "hunter2") {
		t.Errorf("panic value leaked: %s", rec.Body)
	}
	var p httpx.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Code != "internal_error" || p.RequestID != "rid-7" {
		t.Errorf("problem %+v (%v)", p, err)
	}
	if !strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), `"request_id":"rid-7"`) {
		t.Errorf("panic not logged with request id: %s", logs.String())
	}
}

func TestRecoverRepanicsAbort(t *testing.T) {
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler))
	h := httpx.Recover(rs)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	defer func() {
		if v, _ := recover().(error); !errors.Is(v, http.ErrAbortHandler) {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}

func TestSecurityHeaders(t *testing.T) {
	h := httpx.SecurityHeaders()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		"Referrer-Policy":         "no-referrer",
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if rec.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	r := httptest.NewRequest(http.MethodGet, "https://pos.example/", nil)
	r.TLS = &tls.ConnectionState{}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if !strings.HasPrefix(rec.Header().Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS over TLS")
	}
}

func TestCORS(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	preflight := func(h http.Handler, origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodOptions, "/api/v1/sales", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", http.MethodPost)
		r.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	h := httpx.CORS([]string{"https://till.example.com"})(ok)
	if got := preflight(h, "https://till.example.com").Header().Get("Access-Control-Allow-Origin"); got != "https://till.example.com" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin = %q", got)
	}
	if got := preflight(h, "https://evil.example").Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("other origin: Access-Control-Allow-Origin = %q", got)
	}
	if got := preflight(httpx.CORS(nil)(ok), "https://evil.example").Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("no origins configured: Access-Control-Allow-Origin = %q", got)
	}
}

func TestValidateOrigins(t *testing.T) {
	if err := httpx.ValidateOrigins([]string{"https://a.example", "http://localhost:3000"}); err != nil {
		t.Errorf("valid origins: %v", err)
	}
	err := httpx.ValidateOrigins([]string{"*", "ftp://x", "https://a.example/path", "https://ok.example"})
	if err == nil {
		t.Fatal("no error for bad origins")
	}
	for _, bad := range []string{`"*"`, `"ftp://x"`, `"https://a.example/path"`} {
		if !strings.Contains(err.Error(), bad) {
			t.Errorf("error does not name %s: %v", bad, err)
		}
	}
	if strings.Contains(err.Error(), "ok.example") {
		t.Errorf("error names a good origin: %v", err)
	}
}

func TestAccessLog(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := httpx.Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r.Context(), "/api/v1/sales/{id}")
		httpx.SetUserID(r.Context(), "user-9")
		w.WriteHeader(http.StatusTeapot)
	}), httpx.RequestID(), httpx.AccessLog(log))
	r := httptest.NewRequest(http.MethodGet, "/api/v1/sales/42", nil)
	r.Header.Set(httpx.RequestIDHeader, "rid-1")
	h.ServeHTTP(httptest.NewRecorder(), r)
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log: %v: %s", err, logs.String())
	}
	for k, v := range map[string]any{"method": "GET", "route": "/api/v1/sales/{id}", "path": "/api/v1/sales/42",
		"status": float64(418), "user_id": "user-9", "request_id": "rid-1"} {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["duration"]; !ok {
		t.Error("no duration")
	}
}
