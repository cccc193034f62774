package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/projections"
)

// load reads, in one round trip, the stores, products and stock rows that the events of the
// batch refer to (the state the fold continues from).
func (p *Projection) load(ctx context.Context, tx pgx.Tx, schema string, evs []decoded) (*fold, error) {
	f := &fold{
		stores: map[uuid.UUID]*storeInfo{}, products: map[uuid.UUID]*productInfo{},
		stock: map[stockKey]*stockRow{}, dirty: map[stockKey]bool{}, shifts: map[uuid.UUID]*shiftRow{},
	}
	storeSet, productSet, stockSet := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}, map[stockKey]bool{}
	line := func(store, product uuid.UUID) {
		productSet[product] = true
		stockSet[stockKey{store, product}] = true
	}
	for _, d := range evs {
		switch v := d.v.(type) {
		case saleCompleted:
			storeSet[v.StoreID] = true
			for _, l := range v.Lines {
				line(v.StoreID, l.ProductID)
			}
		case returnRecorded:
			storeSet[v.StoreID] = true
			for _, l := range v.Lines {
				line(v.StoreID, l.ProductID)
			}
		case stockMoved:
			storeSet[v.LocationID] = true
			line(v.LocationID, v.ProductID)
		case stockCounted:
			storeSet[v.LocationID] = true
			line(v.LocationID, v.ProductID)
		case shift.ShiftOpened:
			storeSet[v.StoreID] = true
		}
	}
	if len(storeSet)+len(productSet) == 0 {
		return f, nil
	}
	stores, products := keys(storeSet), keys(productSet)
	locs, prods := make([]string, 0, len(stockSet)), make([]string, 0, len(stockSet))
	for k := range stockSet {
		locs, prods = append(locs, k.location.String()), append(prods, k.product.String())
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT store_id, code, name, currency, timezone FROM `+projections.Table(schema, "stores")+
		` WHERE store_id = ANY($1::uuid[])`, stores).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id uuid.UUID
			s := &storeInfo{}
			if err := rows.Scan(&id, &s.code, &s.name, &s.currency, &s.timezone); err != nil {
				return err
			}
			s.loc = p.zone(s.timezone)
			f.stores[id] = s
		}
		return rows.Err()
	})
	b.Queue(`SELECT product_id, sku, name, category, cost, currency FROM `+projections.Table(schema, "products")+
		` WHERE product_id = ANY($1::uuid[])`, products).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id uuid.UUID
			pi := &productInfo{}
			if err := rows.Scan(&id, &pi.sku, &pi.name, &pi.category, &pi.cost, &pi.currency); err != nil {
				return err
			}
			f.products[id] = pi
		}
		return rows.Err()
	})
	b.Queue(`SELECT v.location_id, v.product_id, v.currency, (v.on_hand * 1000)::bigint, v.avg_unit_cost, v.last_movement_at
		FROM `+projections.Table(schema, "inventory_valuation")+` v
		JOIN unnest($1::uuid[], $2::uuid[]) AS k(l, p) ON v.location_id = k.l AND v.product_id = k.p`, locs, prods).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var k stockKey
				s := &stockRow{}
				var at time.Time
				if err := rows.Scan(&k.location, &k.product, &s.currency, &s.onHand, &s.avgCost, &at); err != nil {
					return err
				}
				s.lastAt = at
				f.stock[k] = s
			}
			return rows.Err()
		})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("load report state: %w", err)
	}
	return f, nil
}

func keys(set map[uuid.UUID]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k.String())
	}
	return out
}
