package integration_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/integration"
)

func recorded(t *testing.T, typ string, data any, meta eventstore.Metadata) eventstore.RecordedEvent {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return eventstore.RecordedEvent{ID: uuid.New(), Type: typ, Stream: "s-1", Revision: 3, Position: 42, Data: raw,
		Metadata: meta, RecordedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func TestMapRendersTheEnvelopeAndPublicData(t *testing.T) {
	store, loc := uuid.New(), uuid.New()
	eur := money.Money{Amount: 1250, Currency: "EUR"}
	occurred := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	cases := []struct {
		typ, public, store string
		data               any
		field, notField    string
	}{
		{returns.TypeReturnRecorded, integration.TypeReturnRecorded, store.String(),
			returns.ReturnRecorded{ReturnID: uuid.New(), StoreID: store, NoReceipt: true, Total: eur,
				Lines: []returns.ReturnedLine{{ProductID: uuid.New(), Quantity: quantity.Quantity(1500), Refund: eur}}},
			`"quantity":1.5`, `"sale_id"`},
		{stock.TypeStockMoved, integration.TypeStockMoved, loc.String(),
			stock.StockMoved{LocationID: loc, ProductID: uuid.New(), Kind: stock.KindSale, Delta: quantity.Quantity(-2000), Source: 9},
			`"delta":-2`, `"source"`},
		{catalog.TypeProductCreated, integration.TypeProductCreated, "",
			catalog.ProductCreated{ProductID: uuid.New(), SKU: "A", Price: eur, Cost: &eur},
			`"barcodes":[]`, `"cost"`},
		{sale.TypeSaleVoided, integration.TypeSaleVoided, store.String(), // the store from the metadata
			sale.SaleVoided{SaleID: uuid.New(), Reason: "customer left", InCheckout: true},
			`"payments":[]`, `"in_checkout"`},
	}
	for _, c := range cases {
		e := recorded(t, c.typ, c.data, eventstore.Metadata{CorrelationID: "c", CausationID: "k", StoreID: store.String(), OccurredAt: occurred})
		m, ok, err := integration.Map(&e)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", c.typ, ok, err)
		}
		var env integration.Envelope
		if err := json.Unmarshal(m.Body, &env); err != nil {
			t.Fatal(err)
		}
		if env.Version != 1 || env.ID != e.ID.String() || m.ID != env.ID || env.Type != c.public || m.Type != c.public ||
			env.Stream != "s-1" || env.Revision != 3 || env.Position != 42 || env.StoreID != c.store || m.StoreID != c.store ||
			!env.OccurredAt.Equal(occurred) || !env.RecordedAt.Equal(e.RecordedAt) || env.CorrelationID != "c" || env.CausationID != "k" {
			t.Errorf("%s: envelope %+v", c.typ, env)
		}
		if !strings.Contains(string(env.Data), c.field) || strings.Contains(string(env.Data), c.notField) {
			t.Errorf("%s: data should have %s and not %s: %s", c.typ, c.field, c.notField, env.Data)
		}
		wantSubject := "pos." + c.public + "." + c.store
		if c.store == "" {
			wantSubject = "pos." + c.public + "." + integration.ChainWide
		}
		if got := m.Subject("pos"); got != wantSubject {
			t.Errorf("%s: subject %s, want %s", c.typ, got, wantSubject)
		}
	}
}

func TestMapLeavesOtherEventsOutAndRefusesBadData(t *testing.T) {
	e := recorded(t, sale.TypeLineAdded, sale.LineAdded{}, eventstore.Metadata{})
	if _, ok, err := integration.Map(&e); ok || err != nil {
		t.Errorf("sales.line_added.v1 mapped: %v %v", ok, err)
	}
	e = eventstore.RecordedEvent{Type: sale.TypeSaleCompleted, Data: json.RawMessage(`{"totals": 5}`)}
	if _, ok, err := integration.Map(&e); !ok || err == nil {
		t.Errorf("undecodable data: ok %v, err %v; want an error", ok, err)
	}
}

// TestEveryMappedTypeIsAnEventOfTheWriteSide: the mapping names only internal types that
// exist, and the filter selects exactly the mapped ones.
func TestEveryMappedTypeIsAnEventOfTheWriteSide(t *testing.T) {
	c := eventstore.NewCodec()
	domain.RegisterWriteSide(c)
	known := c.Names()
	f := integration.Filter(nil)
	if len(f.TypePrefixes) != len(integration.PublicTypes()) {
		t.Errorf("filter %v for %d public types", f.TypePrefixes, len(integration.PublicTypes()))
	}
	for _, typ := range f.TypePrefixes {
		if !slices.Contains(known, typ) {
			t.Errorf("mapped type %s is not an event of the write side", typ)
		}
	}
	if f := integration.Filter([]string{integration.TypeStockMoved}); len(f.TypePrefixes) != 1 || f.TypePrefixes[0] != stock.TypeStockMoved {
		t.Errorf("filter of stock.moved.v1: %v", f.TypePrefixes)
	}
}

// FuzzMap: whatever a stored event holds, Map returns an error or a message, never panics.
func FuzzMap(f *testing.F) {
	f.Add(sale.TypeSaleCompleted, []byte(`{"lines":[{"quantity":1.5}]}`))
	f.Add(stock.TypeStockMoved, []byte(`{"delta":"x"}`))
	f.Add(catalog.TypeProductCreated, []byte(`null`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e := eventstore.RecordedEvent{Type: typ, Data: data}
		m, ok, err := integration.Map(&e)
		if ok && err == nil && !json.Valid(m.Body) {
			t.Errorf("invalid JSON body %s", m.Body)
		}
	})
}
