package stock

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	dcatalog "github.com/odata-pos/pos/domain/catalog"
	dstock "github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/transfer"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Name is the projection's name and the schema of its stable views.
const Name = "stock"

// Projection folds stock, transfer and product events into stock levels.
type Projection struct {
	codec *eventstore.Codec
}

// New returns the projection; codec must know the write side's events.
func New(codec *eventstore.Codec) *Projection { return &Projection{codec: codec} }

// Name returns Name.
func (*Projection) Name() string { return Name }

// Version is bumped whenever the tables or the fold change.
func (*Projection) Version() int { return 1 }

// Filter selects stock movements and counts, transfers and product creation.
func (*Projection) Filter() eventstore.Filter {
	return readkit.Filter(dstock.TypeStockMoved, dstock.TypeStockCounted,
		transfer.TypeTransferDispatched, transfer.TypeTransferReceived, dcatalog.TypeProductCreated)
}

// Setup creates the tables.
func (*Projection) Setup(ctx context.Context, tx pgx.Tx, schema string) error {
	_, err := tx.Exec(ctx, fmt.Sprintf(`
CREATE TABLE %[1]s (
	location_id uuid NOT NULL, product_id uuid NOT NULL, on_hand bigint NOT NULL DEFAULT 0,
	in_transit bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL,
	PRIMARY KEY (location_id, product_id));
CREATE INDEX ON %[1]s (product_id, location_id);
CREATE TABLE %[2]s (product_id uuid PRIMARY KEY, track_stock boolean NOT NULL, low_stock_threshold bigint);`,
		projections.Table(schema, "levels"), projections.Table(schema, "products")))
	return err
}

// Apply folds a batch: one pipelined upsert per level touched.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	levels := projections.Table(schema, "levels")
	setOnHand := `INSERT INTO ` + levels + ` AS l (location_id, product_id, on_hand, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (location_id, product_id) DO UPDATE SET on_hand = excluded.on_hand, updated_at = excluded.updated_at`
	addTransit := `INSERT INTO ` + levels + ` AS l (location_id, product_id, in_transit, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (location_id, product_id) DO UPDATE SET in_transit = l.in_transit + excluded.in_transit, updated_at = excluded.updated_at`
	b := &pgx.Batch{}
	err := readkit.Decode(p.codec, batch, func(e eventstore.RecordedEvent, v any) error {
		at := readkit.OccurredAt(e)
		switch ev := v.(type) {
		case dstock.StockMoved:
			b.Queue(setOnHand, ev.LocationID, ev.ProductID, ev.OnHand.Milli(), at)
		case dstock.StockCounted:
			b.Queue(setOnHand, ev.LocationID, ev.ProductID, ev.Counted.Milli(), at)
		case transfer.TransferDispatched:
			for _, l := range ev.Lines {
				b.Queue(addTransit, ev.FromLocationID, l.ProductID, l.Quantity.Milli(), at)
			}
		case transfer.TransferReceived:
			for _, l := range ev.Lines {
				b.Queue(addTransit, ev.FromLocationID, l.ProductID, -l.Quantity.Milli(), at)
			}
		case dcatalog.ProductCreated:
			var threshold *int64
			if ev.LowStockThreshold != nil {
				m := ev.LowStockThreshold.Milli()
				threshold = &m
			}
			b.Queue(`INSERT INTO `+projections.Table(schema, "products")+` (product_id, track_stock, low_stock_threshold)
				VALUES ($1, $2, $3) ON CONFLICT (product_id) DO NOTHING`, ev.ProductID, ev.TrackStock, threshold)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return projections.SendBatch(ctx, tx, b)
}
