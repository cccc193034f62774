package stock_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	dcatalog "github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	dstock "github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/transfer"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/stock"
)

func TestFoldLevels(t *testing.T) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection { return []projections.Projection{stock.New(c)} })
	q := stock.NewQueries(e.Pool)
	ctx := context.Background()
	a, b, milk, salt, loose := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	th := quantity.FromInt(5)
	md := eventstore.Metadata{UserID: "u"}
	e.Append("product-"+milk.String(), md, dcatalog.ProductCreated{ProductID: milk, SKU: "MILK", Name: "Milk", Price: money.New(1, "EUR"), TrackStock: true, LowStockThreshold: &th})
	e.Append("product-"+salt.String(), md, dcatalog.ProductCreated{ProductID: salt, SKU: "SALT", Name: "Salt", Price: money.New(1, "EUR"), TrackStock: true})
	moved := func(loc, prod uuid.UUID, delta, onHand int64) dstock.StockMoved {
		return dstock.StockMoved{LocationID: loc, ProductID: prod, Kind: dstock.KindReceipt, Delta: quantity.FromMilli(delta), OnHand: quantity.FromMilli(onHand)}
	}
	e.Append("stock-a.milk", md, moved(a, milk, 10000, 10000), moved(a, milk, -6000, 4000))
	e.Append("stock-a.salt", md, moved(a, salt, 1000, 1000))
	e.Append("stock-b.milk", md, dstock.StockCounted{LocationID: b, ProductID: milk, Expected: 0, Counted: quantity.FromMilli(12500)})
	e.Append("stock-a.loose", md, moved(a, loose, 2125, 2125))
	tr := uuid.New()
	lines := []transfer.Line{{ProductID: milk, Quantity: quantity.FromInt(2)}}
	e.Append("transfer-"+tr.String(), md, transfer.TransferDispatched{TransferID: tr, FromLocationID: b, ToLocationID: a, Lines: lines})
	e.Sync(stock.Name)

	level := func(loc, prod uuid.UUID) stock.Level {
		t.Helper()
		p, err := q.Levels(ctx, stock.Filter{LocationID: loc, ProductID: prod}, readkit.Request{})
		if err != nil || len(p.Items) != 1 {
			t.Fatalf("level %s/%s: %+v %v", loc, prod, p.Items, err)
		}
		return p.Items[0]
	}
	if l := level(a, milk); l.OnHand.String() != "4" || !l.LowStock || l.InTransit != 0 {
		t.Fatalf("milk at a: %+v", l)
	}
	if l := level(a, salt); l.LowStock {
		t.Fatalf("salt has no threshold: %+v", l)
	}
	if l := level(b, milk); l.OnHand.String() != "12.5" || l.InTransit.String() != "2" || l.LowStock {
		t.Fatalf("milk at b: %+v", l)
	}
	out, _ := json.Marshal(level(a, loose))
	var m map[string]any
	_ = json.Unmarshal(out, &m)
	if m["on_hand"] != 2.125 || m["low_stock"] != false {
		t.Fatalf("json: %s", out)
	}
	e.Append("transfer-"+tr.String(), md, transfer.TransferReceived{TransferID: tr, FromLocationID: b, ToLocationID: a, Lines: lines})
	e.Sync(stock.Name)
	if l := level(b, milk); l.InTransit != 0 {
		t.Fatalf("after receipt: %+v", l)
	}
	low, err := q.Levels(ctx, stock.Filter{LowStock: new(true)}, readkit.Request{})
	if err != nil || len(low.Items) != 1 || low.Items[0].ProductID != milk || low.Items[0].LocationID != a {
		t.Fatalf("low stock: %+v %v", low.Items, err)
	}
	scoped, err := q.Levels(ctx, stock.Filter{LocationIDs: []uuid.UUID{b}}, readkit.Request{})
	if err != nil || len(scoped.Items) != 1 {
		t.Fatalf("scoped: %+v %v", scoped.Items, err)
	}
	all, err := q.Levels(ctx, stock.Filter{}, readkit.Request{Limit: 2})
	if err != nil || len(all.Items) != 2 || all.NextCursor == "" {
		t.Fatalf("page 1: %+v %v", all, err)
	}
	rest, err := q.Levels(ctx, stock.Filter{}, readkit.Request{Limit: 2, Cursor: all.NextCursor})
	if err != nil || len(rest.Items) != 2 || rest.NextCursor != "" {
		t.Fatalf("page 2: %+v %v", rest, err)
	}
}

// TestNegativeLevels: a store that sold goods it had not received shows the negative level,
// counts it as low stock (threshold or not) and reports it in pos_stock_negative_levels.
func TestNegativeLevels(t *testing.T) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection { return []projections.Projection{stock.New(c)} })
	q := stock.NewQueries(e.Pool)
	ctx := context.Background()
	a, b, bread, salt := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	md := eventstore.Metadata{UserID: "u"}
	e.Append("product-"+bread.String(), md, dcatalog.ProductCreated{ProductID: bread, SKU: "BRD", Name: "Bread", Price: money.New(1, "EUR"), TrackStock: true})
	e.Append("product-"+salt.String(), md, dcatalog.ProductCreated{ProductID: salt, SKU: "SALT", Name: "Salt", Price: money.New(1, "EUR"), TrackStock: true})
	sold := func(loc, prod uuid.UUID, onHand int64) dstock.StockMoved {
		return dstock.StockMoved{LocationID: loc, ProductID: prod, Kind: dstock.KindSale, Delta: quantity.FromInt(-2), OnHand: quantity.FromInt(onHand)}
	}
	e.Append("stock-a.bread", md, sold(a, bread, -2))
	e.Append("stock-a.salt", md, sold(a, salt, 3))
	e.Append("stock-b.bread", md, sold(b, bread, -1))
	e.Sync(stock.Name)

	low, err := q.Levels(ctx, stock.Filter{LowStock: new(true)}, readkit.Request{})
	if err != nil || len(low.Items) != 2 {
		t.Fatalf("low stock: %+v %v", low.Items, err)
	}
	for _, l := range low.Items {
		if l.ProductID != bread || !l.LowStock || l.OnHand >= 0 {
			t.Fatalf("low stock level %+v", l)
		}
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(stock.NewNegativeLevels(e.Pool))
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || mfs[0].GetName() != "pos_stock_negative_levels" {
		t.Fatalf("gather: %v %v", mfs, err)
	}
	got := map[string]float64{}
	for _, m := range mfs[0].GetMetric() {
		got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	if len(got) != 2 || got[a.String()] != 1 || got[b.String()] != 1 {
		t.Fatalf("pos_stock_negative_levels %v", got)
	}
}
