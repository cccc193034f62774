package catalog_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
)

// view is the union of the fields the tests read from responses.
type view struct {
	ID       string `json:"id"`
	Code     string `json:"code"`
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Revision uint64 `json:"revision"`
	Position uint64 `json:"position"`
}

func decode(t *testing.T, r *apitest.Response) view {
	t.Helper()
	var v view
	r.JSON(t, &v)
	return v
}

func storeBody(code string) map[string]any {
	return map[string]any{"code": code, "name": "Store " + code, "currency": "EUR", "timezone": "Europe/Amsterdam",
		"prices_include_tax": true, "rounding": "half_up"}
}

func productBody(sku string, barcodes ...string) map[string]any {
	if barcodes == nil {
		barcodes = []string{}
	}
	return map[string]any{"sku": sku, "barcodes": barcodes, "name": "Product " + sku, "category": "fruit",
		"price": map[string]any{"amount": 299, "currency": "EUR"}, "tax_code": "VAT_HIGH", "track_stock": true}
}

// newEnv starts the API with one tax code, VAT_HIGH.
func newEnv(t *testing.T) *apitest.Env {
	t.Helper()
	e := apitest.New(t, apitest.Options{})
	e.Must(http.StatusCreated, "POST", "/api/v1/tax-codes", e.AdminToken, map[string]any{"code": "VAT_HIGH", "name": "VAT 21%", "rate_bp": 2100})
	return e
}

// events returns the events of stream.
func events(t *testing.T, e *apitest.Env, stream string) []eventstore.RecordedEvent {
	t.Helper()
	evs, err := e.Store.ReadStream(context.Background(), stream, eventstore.Forwards, 0, 1000)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// owner returns who holds a reservation key.
func owner(t *testing.T, e *apitest.Env, key string) string {
	t.Helper()
	o, err := commands.Owner(context.Background(), e.API.Commands, key)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
