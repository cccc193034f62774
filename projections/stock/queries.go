package stock

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Queries answers stock level queries from the stable views.
type Queries struct {
	db readkit.Querier
}

// NewQueries returns Queries reading through db.
func NewQueries(db readkit.Querier) *Queries { return &Queries{db: db} }

// Level is the stock of one product at one location: the contract's {location_id,
// product_id, on_hand, in_transit, low_stock}; quantities are JSON numbers with at most three
// decimals.
type Level struct {
	LocationID uuid.UUID         `json:"location_id"`
	ProductID  uuid.UUID         `json:"product_id"`
	OnHand     quantity.Quantity `json:"on_hand"`
	InTransit  quantity.Quantity `json:"in_transit"`
	LowStock   bool              `json:"low_stock"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Filter selects levels. LocationIDs, when not nil, is the caller's store scope.
type Filter struct {
	LocationIDs []uuid.UUID
	LocationID  uuid.UUID
	ProductID   uuid.UUID
	LowStock    *bool
}

// lowStock is the SQL of Level.LowStock: on hand below zero (sold before it was received),
// or at or below the threshold of a product that tracks stock.
const lowStock = `(l.on_hand < 0 OR coalesce(p.track_stock AND p.low_stock_threshold IS NOT NULL AND l.on_hand <= p.low_stock_threshold, false))`

// Levels lists levels ordered by location then product (the only sort, "location").
func (q *Queries) Levels(ctx context.Context, f Filter, req readkit.Request) (readkit.Page[Level], error) {
	l := &readkit.List[Level]{
		Select: `SELECT l.location_id, l.product_id, l.on_hand, l.in_transit, ` + lowStock + `, l.updated_at
			FROM ` + projections.Table(Name, "levels") + ` l LEFT JOIN ` + projections.Table(Name, "products") + ` p USING (product_id)`,
		IDColumn: "l.product_id", IDType: "uuid", ID: func(v Level) string { return v.ProductID.String() },
		Sorts: []readkit.Sort[Level]{
			{Name: "location", Column: "l.location_id", Type: "uuid", Key: func(v Level) string { return v.LocationID.String() }},
		},
		Default: "location",
		Scan: func(r pgx.CollectableRow) (v Level, err error) {
			var onHand, inTransit int64
			err = r.Scan(&v.LocationID, &v.ProductID, &onHand, &inTransit, &v.LowStock, &v.UpdatedAt)
			v.OnHand, v.InTransit = quantity.FromMilli(onHand), quantity.FromMilli(inTransit)
			return v, err
		},
	}
	if f.LocationIDs != nil {
		l.Where("l.location_id = ANY(" + l.Arg(f.LocationIDs) + ")")
	}
	if f.LocationID != uuid.Nil {
		l.Where("l.location_id = " + l.Arg(f.LocationID))
	}
	if f.ProductID != uuid.Nil {
		l.Where("l.product_id = " + l.Arg(f.ProductID))
	}
	if f.LowStock != nil {
		l.Where(lowStock + " = " + l.Arg(*f.LowStock))
	}
	return l.Run(ctx, q.db, req)
}
