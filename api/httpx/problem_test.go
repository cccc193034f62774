package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/httpx"
)

// ruleError stands in for the domain's RuleError: code and message as fields, no methods.
type ruleError struct{ Code, Msg string }

func (e *ruleError) Error() string { return e.Msg }

// codedError implements httpx.StatusCoder.
type codedError struct{}

func (codedError) Error() string   { return "sale is already completed" }
func (codedError) Code() string    { return "sale_closed" }
func (codedError) HTTPStatus() int { return http.StatusConflict }

func mapRule(err error) (*httpx.Error, bool) {
	if re, ok := errors.AsType[*ruleError](err); ok {
		return httpx.Unprocessable(re.Code, re.Msg), true
	}
	return nil, false
}

func TestProblemMapping(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		code       string
		detail     string // "" means: not checked
		retryAfter string
		logged     bool
	}{
		{"bad request", httpx.BadRequest("malformed_body", "bad"), 400, "malformed_body", "bad", "", false},
		{"validation", httpx.Invalid(httpx.FieldError{Field: "lines[0].quantity", Message: "too many decimals"}), 400, "validation_failed", "", "", false},
		{"unauthorized", httpx.Unauthorized("token_invalid", "no"), 401, "token_invalid", "no", "", false},
		{"forbidden", httpx.Forbidden("permission_denied", "no"), 403, "permission_denied", "no", "", false},
		{"not found", httpx.NotFound("sale_not_found", "no sale"), 404, "sale_not_found", "no sale", "", false},
		{"conflict", httpx.Conflict("revision_conflict", "moved"), 409, "revision_conflict", "moved", "", false},
		{"precondition", httpx.PreconditionFailed("if_match_failed", "stale"), 412, "if_match_failed", "stale", "", false},
		{"unprocessable", httpx.Unprocessable("discount_too_high", "max 20%"), 422, "discount_too_high", "max 20%", "", false},
		{"too many", httpx.TooManyRequests(1500 * time.Millisecond), 429, "rate_limited", "", "2", false},
		{"unavailable", httpx.Unavailable("redis_down", "try later", errors.New("dial tcp: refused")), 503, "redis_down", "try later", "2", true},
		{"wrapped *Error", fmt.Errorf("load: %w", httpx.NotFound("product_not_found", "gone")), 404, "product_not_found", "gone", "", false},
		{"mapper", fmt.Errorf("decide: %w", &ruleError{Code: "sale_closed", Msg: "sale is closed"}), 422, "sale_closed", "sale is closed", "", false},
		{"status coder", fmt.Errorf("x: %w", codedError{}), 409, "sale_closed", "sale is already completed", "", false},
		{"max bytes", &http.MaxBytesError{Limit: 10}, 413, "body_too_large", "", "", false},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), 503, "timeout", "", "2", true},
		{"unknown", errors.New("pq: password authentication failed for user secret"), 500, "internal_error", "", "", true},
		{"internal kind hides detail", &httpx.Error{Kind: httpx.KindInternal, Code: "x", Detail: "secret internals"}, 500, "x", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			rs := httpx.NewResponder(slog.New(slog.NewJSONHandler(&logs, nil)), mapRule)
			req := httptest.NewRequest(http.MethodGet, "/api/v1/sales/1", nil)
			req = req.WithContext(httpx.WithRequestID(req.Context(), "req-1"))
			rec := httptest.NewRecorder()
			rs.Error(rec, req, tt.err)

			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != httpx.ProblemContentType {
				t.Errorf("Content-Type = %q", ct)
			}
			var p httpx.Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("body: %v", err)
			}
			if p.Status != tt.status || p.Code != tt.code || p.RequestID != "req-1" ||
				p.Type != httpx.ProblemTypeBase+tt.code || p.Title != http.StatusText(tt.status) {
				t.Errorf("problem = %+v", p)
			}
			if tt.detail != "" && p.Detail != tt.detail {
				t.Errorf("detail = %q, want %q", p.Detail, tt.detail)
			}
			if tt.status == 500 && (strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "pq:")) {
				t.Errorf("500 leaks internals: %s", rec.Body)
			}
			if got := rec.Header().Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tt.retryAfter)
			}
			if tt.logged != (logs.Len() > 0) {
				t.Errorf("logged = %v, want %v: %s", logs.Len() > 0, tt.logged, logs.String())
			}
			if tt.logged && !strings.Contains(logs.String(), `"request_id":"req-1"`) {
				t.Errorf("log line lacks request_id: %s", logs.String())
			}
		})
	}
}

func TestProblemValidationFields(t *testing.T) {
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	rs.Error(rec, httptest.NewRequest(http.MethodPost, "/x", nil),
		httpx.Invalid(httpx.FieldError{Field: "lines[0].quantity", Message: "at most 3 decimals"}))
	var p httpx.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) != 1 || p.Errors[0].Field != "lines[0].quantity" || p.Errors[0].Message != "at most 3 decimals" {
		t.Errorf("errors = %+v", p.Errors)
	}
}

func TestHandleAndJSON(t *testing.T) {
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler))
	h := rs.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if r.URL.Query().Get("fail") != "" {
			return httpx.NotFound("thing_not_found", "no such thing")
		}
		return httpx.JSON(w, http.StatusCreated, map[string]string{"name": "<script>"})
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 201 || rec.Header().Get("Content-Type") != "application/json" ||
		strings.TrimSpace(rec.Body.String()) != `{"name":"<script>"}` {
		t.Errorf("got %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?fail=1", nil))
	if rec.Code != 404 {
		t.Errorf("status = %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	rs.JSON(rec, httptest.NewRequest(http.MethodGet, "/", nil), 200, map[string]any{"f": func() {}})
	if rec.Code != 500 {
		t.Errorf("unencodable body: status = %d", rec.Code)
	}
}
