package stock_test

import (
	"context"
	"math"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/transfer"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/stock"
)

// TestTransferBeyondTheBoundsIsParked (issue 11.1): a hand-made transfer of 2^63-1
// thousandths, folded in one batch with another, wrapped the in-transit sum into a wrong
// figure. It is now parked; the other transfer's figure is right.
func TestTransferBeyondTheBoundsIsParked(t *testing.T) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection { return []projections.Projection{stock.New(c)} })
	from, to, prod := uuid.New(), uuid.New(), uuid.New()
	md := eventstore.Metadata{UserID: "u"}
	bad, good := uuid.New(), uuid.New()
	poison := e.Append("transfer-"+bad.String(), md, transfer.TransferDispatched{TransferID: bad, FromLocationID: from, ToLocationID: to,
		Lines: []transfer.Line{{ProductID: prod, Quantity: math.MaxInt64}}})
	e.Append("transfer-"+good.String(), md, transfer.TransferDispatched{TransferID: good, FromLocationID: from, ToLocationID: to,
		Lines: []transfer.Line{{ProductID: prod, Quantity: quantity.FromInt(3)}}})
	e.Sync(stock.Name)
	p, err := stock.NewQueries(e.Pool).Levels(context.Background(), stock.Filter{LocationID: from, ProductID: prod}, readkit.Request{})
	if err != nil || len(p.Items) != 1 || p.Items[0].InTransit != quantity.FromInt(3) {
		t.Fatalf("levels = %+v, %v; want 3 in transit", p.Items, err)
	}
	st, err := e.Runner.Status(context.Background())
	if err != nil || len(st) != 1 || st[0].ParkedCount != 1 || st[0].Parked[0].Position != poison {
		t.Fatalf("status = %+v, %v; want the transfer beyond the bounds parked", st, err)
	}
}
