package httpx_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/odata-pos/pos/api/httpx"
)

type saleLine struct {
	ID       string      `json:"id"`
	Quantity json.Number `json:"quantity"`
}

type saleBody struct {
	ID    string     `json:"id"`
	Lines []saleLine `json:"lines"`
	Extra any        `json:"extra,omitempty"`
	Count int        `json:"count,omitempty"`
}

func newJSONRequest(body, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/sales", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func TestDecode(t *testing.T) {
	big := `{"id":"` + strings.Repeat("a", int(httpx.MaxBodyBytes)) + `"}`
	tests := []struct {
		name   string
		body   string
		ct     string
		status int // 0: success
		code   string
		field  string
	}{
		{"ok", `{"id":"s1","lines":[{"id":"l1","quantity":1.250}]}`, "application/json", 0, "", ""},
		{"ok charset", `{"id":"s1"}`, "application/json; charset=utf-8", 0, "", ""},
		{"ok +json", `{"id":"s1"}`, "application/merge-patch+json", 0, "", ""},
		{"trailing whitespace", "{\"id\":\"s1\"}\n \t", "application/json", 0, "", ""},
		{"no content type", `{"id":"s1"}`, "", 415, "unsupported_media_type", ""},
		{"text/plain", `{"id":"s1"}`, "text/plain", 415, "unsupported_media_type", ""},
		{"latin1", `{"id":"s1"}`, "application/json; charset=latin1", 415, "unsupported_media_type", ""},
		{"form", `id=1`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		{"empty", ``, "application/json", 400, "empty_body", ""},
		{"whitespace only", "  \n", "application/json", 400, "empty_body", ""},
		{"unknown field", `{"id":"s1","admin":true}`, "application/json", 400, "unknown_field", "admin"},
		{"unknown nested field", `{"lines":[{"id":"l","price":1}]}`, "application/json", 400, "unknown_field", "price"},
		{"trailing value", `{"id":"s1"}{"id":"s2"}`, "application/json", 400, "trailing_data", ""},
		{"trailing garbage", `{"id":"s1"} x`, "application/json", 400, "trailing_data", ""},
		{"syntax", `{"id":}`, "application/json", 400, "malformed_body", ""},
		{"truncated", `{"id":"s1"`, "application/json", 400, "malformed_body", ""},
		{"wrong type", `{"id":5}`, "application/json", 400, "validation_failed", "id"},
		{"wrong nested type", `{"lines":[{"id":5}]}`, "application/json", 400, "validation_failed", "lines.id"},
		{"number not a number", `{"lines":[{"quantity":"x"}]}`, "application/json", 400, "malformed_body", ""},
		{"int overflow", `{"count":1e400}`, "application/json", 400, "validation_failed", "count"},
		{"array", `[1,2]`, "application/json", 400, "validation_failed", "$"},
		{"too large", big, "application/json", 413, "body_too_large", ""},
	}
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v saleBody
			err := httpx.Decode(newJSONRequest(tt.body, tt.ct), &v)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Decode succeeded, want %d", tt.status)
			}
			e, ok := errors.AsType[*httpx.Error](err)
			if !ok {
				t.Fatalf("error %T is not *httpx.Error", err)
			}
			rec := httptest.NewRecorder()
			rs.Error(rec, newJSONRequest("", ""), err)
			if rec.Code != tt.status || e.Code != tt.code {
				t.Fatalf("got %d %s, want %d %s (%v)", rec.Code, e.Code, tt.status, tt.code, err)
			}
			if tt.field != "" && (len(e.Fields) != 1 || e.Fields[0].Field != tt.field) {
				t.Errorf("fields = %+v, want %s", e.Fields, tt.field)
			}
		})
	}
}

func TestDecodeKeepsNumbersExact(t *testing.T) {
	var v struct {
		Quantity json.Number `json:"quantity"`
		Any      any         `json:"any"`
	}
	err := httpx.Decode(newJSONRequest(`{"quantity":0.1000000000000000055511151231257827,"any":12345678901234567890}`, "application/json"), &v)
	if err != nil {
		t.Fatal(err)
	}
	if v.Quantity.String() != "0.1000000000000000055511151231257827" {
		t.Errorf("quantity = %s", v.Quantity)
	}
	if n, ok := v.Any.(json.Number); !ok || n.String() != "12345678901234567890" {
		t.Errorf("any = %#v, want json.Number", v.Any)
	}
}

func TestDecodeBehindBodyLimit(t *testing.T) {
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler))
	h := httpx.BodyLimit(rs, 64)(rs.Handle(func(w http.ResponseWriter, r *http.Request) error {
		var v saleBody
		if err := httpx.Decode(r, &v); err != nil {
			return err
		}
		httpx.NoContent(w)
		return nil
	}))
	for _, tt := range []struct {
		body    string
		chunked bool
		status  int
	}{
		{`{"id":"short"}`, false, 204},
		{`{"id":"` + strings.Repeat("x", 100) + `"}`, false, 413},
		{`{"id":"` + strings.Repeat("x", 100) + `"}`, true, 413}, // no Content-Length
	} {
		r := newJSONRequest(tt.body, "application/json")
		if tt.chunked {
			r.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tt.status {
			t.Errorf("body of %d bytes (chunked %v): status %d, want %d", len(tt.body), tt.chunked, rec.Code, tt.status)
		}
	}
}

// FuzzDecode feeds any body to a handler that decodes it: the handler never panics and
// answers only 2xx or 4xx.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"s1","lines":[{"id":"l1","quantity":1.250}]}`, `{}`, `[]`, `null`, ``, `{"id":`,
		`{"id":"s1"}{}`, `{"unknown":1}`, `{"lines":[{"quantity":"1"}]}`, `{"extra":{"a":[1,2,{"b":null}]}}`,
		`{"count":-1e999}`, "\xff\xfe", `{"id":"\ud800"}`, `"string"`, `{"lines":null}`,
		`{"id":"a\u0000"}`, "{\"id\":\"\xff\"}", `{"extra":{"k\u0000":[1]}}`, `{"id":"\\u0000"}`,
	} {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(`{}`), "text/plain")
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler))
	h := httpx.Chain(rs.Handle(func(w http.ResponseWriter, r *http.Request) error {
		var v saleBody
		if err := httpx.Decode(r, &v); err != nil {
			return err
		}
		return httpx.JSON(w, http.StatusOK, v)
	}), httpx.Recover(rs), httpx.BodyLimit(rs, httpx.MaxBodyBytes))
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code >= 500 || rec.Code < 200 || (rec.Code >= 300 && rec.Code < 400) {
			t.Fatalf("status %d for %q (%s): %s", rec.Code, body, ct, rec.Body)
		}
		// What Decode accepts holds no text PostgreSQL would refuse: the body was UTF-8 and
		// no decoded string has a NUL.
		var echoed any
		if rec.Code == http.StatusOK && (!utf8.Valid(body) || json.Unmarshal(rec.Body.Bytes(), &echoed) != nil || hasNUL(echoed)) {
			t.Fatalf("accepted bad text %q: %s", body, rec.Body)
		}
	})
}

// hasNUL reports whether a decoded JSON value holds a string (or member name) with a NUL.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.IndexByte(v, 0) >= 0
	case []any:
		return slices.ContainsFunc(v, hasNUL)
	case map[string]any:
		for k, x := range v {
			if hasNUL(k) || hasNUL(x) {
				return true
			}
		}
	}
	return false
}
