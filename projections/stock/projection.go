package stock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

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
	codec readkit.Decoder
}

// New returns the projection; codec must know the write side's events.
func New(codec readkit.Decoder) *Projection { return &Projection{codec: codec} }

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

// Apply folds a batch. Levels are coalesced in memory (the last on-hand figure of each level,
// the sum of its in-transit changes) and written with one multi-row upsert; products with one
// more.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	type key struct{ loc, prod uuid.UUID }
	type change struct {
		onHand  *int64
		transit int64
		at      time.Time
	}
	changes := map[key]*change{}
	var order []key
	touch := func(loc, prod uuid.UUID, at time.Time) *change {
		k := key{loc, prod}
		c := changes[k]
		if c == nil {
			c = &change{}
			changes[k] = c
			order = append(order, k)
		}
		// The latest occurred_at of the batch, not the last one seen: movements written by
		// policies are not in occurred_at order in $all, so "last" would depend on where
		// batches are cut and a rebuilt projection would differ from the live one.
		if at.After(c.at) {
			c.at = at
		}
		return c
	}
	var products []dcatalog.ProductCreated
	err := readkit.Decode(p.codec, batch, func(e eventstore.RecordedEvent, v any) error {
		at := readkit.OccurredAt(e)
		switch ev := v.(type) {
		case dstock.StockMoved:
			n := ev.OnHand.Milli()
			touch(ev.LocationID, ev.ProductID, at).onHand = &n
		case dstock.StockCounted:
			n := ev.Counted.Milli()
			touch(ev.LocationID, ev.ProductID, at).onHand = &n
		case transfer.TransferDispatched:
			if err := linesInBounds(e, ev.Lines); err != nil {
				return err
			}
			for _, l := range ev.Lines {
				touch(ev.FromLocationID, l.ProductID, at).transit += l.Quantity.Milli()
			}
		case transfer.TransferReceived:
			if err := linesInBounds(e, ev.Lines); err != nil {
				return err
			}
			for _, l := range ev.Lines {
				touch(ev.FromLocationID, l.ProductID, at).transit -= l.Quantity.Milli()
			}
		case dcatalog.ProductCreated:
			products = append(products, ev)
		}
		return nil
	})
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	// On-hand figures and in-transit changes go in two upserts: they set different columns, so
	// their order does not matter.
	var hl, hp, tl, tp []uuid.UUID
	var hv, tv []int64
	var ha, ta []time.Time
	for _, k := range order {
		c := changes[k]
		if c.onHand != nil {
			hl, hp, hv, ha = append(hl, k.loc), append(hp, k.prod), append(hv, *c.onHand), append(ha, c.at)
		}
		if c.transit != 0 {
			tl, tp, tv, ta = append(tl, k.loc), append(tp, k.prod), append(tv, c.transit), append(ta, c.at)
		}
	}
	levels := projections.Table(schema, "levels")
	if len(hl) > 0 {
		b.Queue(`INSERT INTO `+levels+` AS l (location_id, product_id, on_hand, updated_at)
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::timestamptz[])
			ON CONFLICT (location_id, product_id) DO UPDATE SET on_hand = excluded.on_hand,
				updated_at = greatest(l.updated_at, excluded.updated_at)`, hl, hp, hv, ha)
	}
	if len(tl) > 0 {
		b.Queue(`INSERT INTO `+levels+` AS l (location_id, product_id, in_transit, updated_at)
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::timestamptz[])
			ON CONFLICT (location_id, product_id) DO UPDATE SET in_transit = l.in_transit + excluded.in_transit,
				updated_at = greatest(l.updated_at, excluded.updated_at)`, tl, tp, tv, ta)
	}
	for _, ev := range products {
		var threshold *int64
		if ev.LowStockThreshold != nil {
			m := ev.LowStockThreshold.Milli()
			threshold = &m
		}
		b.Queue(`INSERT INTO `+projections.Table(schema, "products")+` (product_id, track_stock, low_stock_threshold)
			VALUES ($1, $2, $3) ON CONFLICT (product_id) DO NOTHING`, ev.ProductID, ev.TrackStock, threshold)
	}
	return projections.SendBatch(ctx, tx, b)
}

// errOutOfBounds: a transfer line beyond quantity.Max, which only a transfer recorded before
// the bounds (or written past the decider) carries. The batch adds transit up in int64; with
// every line within the bound no batch sum can wrap, so such an event is refused (and parked
// by the runner) instead of folded into a wrong figure.
var errOutOfBounds = errors.New("a quantity beyond quantity.Max")

func linesInBounds(e eventstore.RecordedEvent, lines []transfer.Line) error {
	for _, l := range lines {
		if !l.Quantity.InBounds() {
			return fmt.Errorf("%s at %d: %s: %w", e.Type, e.Position, l.Quantity, errOutOfBounds)
		}
	}
	return nil
}
