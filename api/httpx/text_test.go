package httpx_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/odata-pos/pos/api/httpx"
)

// TestDecodeNamesTheFieldOfBadText checks that a NUL byte or invalid UTF-8 in any string of a
// body, member names included, is a 400 invalid_text naming the field, and that look-alikes
// (an escaped backslash before u0000, a replacement character) pass.
func TestDecodeNamesTheFieldOfBadText(t *testing.T) {
	for _, c := range []struct{ body, field string }{
		{`{"id":"a\u0000"}`, "id"},
		{"{\"id\":\"\xff\"}", "id"},
		{`{"lines":[{"id":"x"},{"id":"y\u0000"}]}`, "lines[1].id"},
		{`{"extra":{"a":[1,{"b":null},["\u0000"]]}}`, "extra.a[2][0]"},
		{`{"extra":{"a\u0000b":1}}`, `extra.a\u0000b`},
		{`"\u0000"`, "$"},
		{`{"extra":{"x":{"y":1},"z":"\u0000"}}`, "extra.z"},
		{`{"id":"\\u0000","lines":[],"extra":"\u0000"}`, "extra"},
	} {
		var v saleBody
		err := httpx.Decode(newJSONRequest(c.body, "application/json"), &v)
		e := httpx.Classify(err)
		if err == nil || e.Code != "invalid_text" || len(e.Fields) != 1 || e.Fields[0].Field != c.field || e.Kind.Status() != http.StatusBadRequest {
			t.Errorf("%q: %v %+v, want 400 invalid_text naming %s", c.body, err, e, c.field)
		}
	}
	for _, ok := range []string{`{"id":"\\u0000"}`, `{"id":"\ufffd"}`, `{"id":"é"}`} {
		var v saleBody
		if err := httpx.Decode(newJSONRequest(ok, "application/json"), &v); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

// TestValidTextNamesParameterVariableAndHeader checks the middleware on each part of a request.
func TestValidTextNamesParameterVariableAndHeader(t *testing.T) {
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler))
	vars := func(r *http.Request) map[string]string { return map[string]string{"id": r.URL.Query().Get("id-var")} }
	h := httpx.ValidText(rs, vars, "Idempotency-Key")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	for _, c := range []struct{ target, header, want string }{
		{"/x?limit=10&q=caf%C3%A9", "", ""},
		{"/x?q=a%00", "", "q"},
		{"/x?q=%FF", "", "q"},
		{"/x?a%00=1", "", `a\u0000`},
		{"/x?id-var=%00", "", "id"},
		{"/x", "k\xff", "Idempotency-Key"},
	} {
		r := httptest.NewRequest(http.MethodGet, c.target, nil)
		if c.header != "" {
			r.Header.Set("Idempotency-Key", c.header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var p struct {
			Errors []struct{ Field string } `json:"errors"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &p)
		switch {
		case c.want == "" && rec.Code != http.StatusNoContent:
			t.Errorf("%s: %d %s, want it through", c.target, rec.Code, rec.Body)
		case c.want != "" && (rec.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != c.want):
			t.Errorf("%s: %d %s, want 400 naming %s", c.target, rec.Code, rec.Body, c.want)
		}
	}
}
