package reports

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/projections"
)

// refs are the rows of the tables that the events of a batch refer to, and the stores and
// products they create.
type refs struct {
	stores, products       map[uuid.UUID]bool
	stock                  map[stockKey]bool
	newStores, newProducts map[uuid.UUID]bool
}

func refsOf(evs []decoded) refs {
	r := refs{stores: map[uuid.UUID]bool{}, products: map[uuid.UUID]bool{}, stock: map[stockKey]bool{},
		newStores: map[uuid.UUID]bool{}, newProducts: map[uuid.UUID]bool{}}
	line := func(store, product uuid.UUID) {
		r.products[product] = true
		r.stock[stockKey{store, product}] = true
	}
	for _, d := range evs {
		switch v := d.v.(type) {
		case saleCompleted:
			r.stores[v.StoreID] = true
			for _, l := range v.Lines {
				line(v.StoreID, l.ProductID)
			}
		case returnRecorded:
			r.stores[v.StoreID] = true
			for _, l := range v.Lines {
				line(v.StoreID, l.ProductID)
			}
		case stockMoved:
			r.stores[v.LocationID] = true
			line(v.LocationID, v.ProductID)
		case stockCounted:
			r.stores[v.LocationID] = true
			line(v.LocationID, v.ProductID)
		case shift.ShiftOpened:
			r.stores[v.StoreID] = true
		case store.StoreCreated:
			r.newStores[v.StoreID] = true
		case catalog.ProductCreated:
			r.newProducts[v.ProductID] = true
		}
	}
	return r
}

// load reads, in one round trip, the stores, products and stock rows that the events of the
// batch refer to (the state the fold continues from). Stores and products come from the
// master-data cache when it has them (see masterCache); those it reads go into the cache.
func (p *Projection) load(ctx context.Context, tx pgx.Tx, schema string, evs []decoded) (*fold, error) {
	f := &fold{
		stores: map[uuid.UUID]*storeInfo{}, products: map[uuid.UUID]*productInfo{},
		stock: map[stockKey]*stockRow{}, dirty: map[stockKey]bool{}, shifts: map[uuid.UUID]*shiftRow{},
	}
	r := refsOf(evs)
	key := cacheKey(tx, schema)
	var stores, products []string // IDs pass as text: pgx encodes []string fast, []uuid.UUID element by element
	p.mu.Lock()
	c := p.cache(key)
	for id := range r.newStores {
		delete(c.stores, id)
	}
	for id := range r.newProducts {
		delete(c.products, id)
	}
	for id := range r.stores {
		if s, ok := c.stores[id]; ok {
			f.stores[id] = &s
		} else {
			stores = append(stores, id.String())
		}
	}
	for id := range r.products {
		if pi, ok := c.products[id]; ok {
			f.products[id] = &pi
		} else {
			products = append(products, id.String())
		}
	}
	p.mu.Unlock()
	if len(stores)+len(products)+len(r.stock) == 0 {
		return f, nil
	}

	locs, prods := make([]string, 0, len(r.stock)), make([]string, 0, len(r.stock))
	for k := range r.stock {
		locs, prods = append(locs, k.location.String()), append(prods, k.product.String())
	}
	readStores, readProducts := map[uuid.UUID]storeInfo{}, map[uuid.UUID]productInfo{}
	b := &pgx.Batch{}
	if len(stores) > 0 {
		b.Queue(`SELECT store_id, code, name, currency, timezone FROM `+projections.Table(schema, "stores")+
			` WHERE store_id = ANY($1::text[]::uuid[])`, stores).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id uuid.UUID
				var s storeInfo
				if err := rows.Scan(&id, &s.code, &s.name, &s.currency, &s.timezone); err != nil {
					return err
				}
				s.loc = p.zone(s.timezone)
				readStores[id] = s
			}
			return rows.Err()
		})
	}
	if len(products) > 0 {
		b.Queue(`SELECT product_id, sku, name, category, cost, currency FROM `+projections.Table(schema, "products")+
			` WHERE product_id = ANY($1::text[]::uuid[])`, products).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id uuid.UUID
				var pi productInfo
				if err := rows.Scan(&id, &pi.sku, &pi.name, &pi.category, &pi.cost, &pi.currency); err != nil {
					return err
				}
				readProducts[id] = pi
			}
			return rows.Err()
		})
	}
	if len(locs) > 0 {
		b.Queue(`SELECT v.location_id, v.product_id, v.currency, v.avg_unit_cost
			FROM `+projections.Table(schema, "inventory_valuation")+` v
			JOIN unnest($1::text[]::uuid[], $2::text[]::uuid[]) AS k(l, p) ON v.location_id = k.l AND v.product_id = k.p`, locs, prods).
			Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var k stockKey
					s := &stockRow{}
					if err := rows.Scan(&k.location, &k.product, &s.currency, &s.avgCost); err != nil {
						return err
					}
					f.stock[k] = s
				}
				return rows.Err()
			})
	}
	if err := projections.SendBatch(ctx, tx, b); err != nil {
		return nil, fmt.Errorf("load report state: %w", err)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	c = p.cache(key)
	for id, s := range readStores {
		f.stores[id] = &s
		if !r.newStores[id] {
			c.stores[id] = s
		}
	}
	for id, pi := range readProducts {
		f.products[id] = &pi
		if !r.newProducts[id] {
			c.products[id] = pi
		}
	}
	return f, nil
}
