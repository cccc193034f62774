package sales_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/odata-pos/pos/eventstore/memstore"
)

// FuzzCreateSaleBody sends arbitrary bodies to POST /sales through the real handler (decoding,
// validation, loading, deciding, appending, responding) over an in-memory event store that
// holds a store, an open shift and products, so valid seeds reach completion. No body may
// give a 5xx or a panic. Run with:
//
//	go test -run '^$' -fuzz FuzzCreateSaleBody -fuzztime 30s ./api/sales/
func FuzzCreateSaleBody(f *testing.F) {
	hs := newHarness(f, memstore.New(), 1)
	valid, err := json.Marshal(hs.oneShotBody(0))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	probe := httptest.NewRecorder()
	probeReq := httptest.NewRequest(http.MethodPost, "/api/v1/sales", bytes.NewReader(valid))
	probeReq.Header.Set("Content-Type", "application/json")
	if hs.router.ServeHTTP(probe, probeReq); probe.Code != http.StatusCreated {
		f.Fatalf("the valid seed is refused: %d %s", probe.Code, probe.Body)
	}
	cart := hs.oneShotBody(0)
	delete(cart, "payments")
	cart["complete"] = false
	cart["discount"] = map[string]any{"percent_bp": 500}
	b, _ := json.Marshal(cart)
	f.Add(b)
	upload := hs.oneShotBody(0)
	upload["occurred_at"] = "2020-01-01T00:00:00Z"
	b, _ = json.Marshal(upload)
	f.Add(b)
	for _, s := range []string{``, `{}`, `null`, `[]`, `{"id":"x"}`, `{"lines":[{"quantity":1e400}]}`,
		`{"lines":[{"quantity":"0.0005"}]}`, `{"payments":[{"amount":{"amount":9223372036854775807,"currency":"EUR"}}]}`,
		`{"discount":{"percent_bp":-1,"amount":{"amount":-5}}}`, `{"occurred_at":"yesterday"}`, `{"id":1}{"id":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/sales", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		hs.router.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}
