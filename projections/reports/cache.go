package reports

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// maxCaches bounds how many generations (schemas) keep a master-data cache: the live one and
// one being rebuilt, with room for a database or two more in tests.
const maxCaches = 4

// masterCache holds store and product rows of one schema as load read them from the tables,
// so later batches need not read them again.
//
// It never holds what a batch folded, only rows read in a batch's transaction before it
// wrote anything: rows committed by earlier batches. Those rows do not change afterwards,
// since only StoreCreated and ProductCreated write them, once per store or product. Should
// one be created again, the batch that does so drops it from the cache and does not cache
// it, so the next batch reads the committed row again. The cache is therefore always a
// subset of the committed tables, whatever happens to the batch afterwards (rollback,
// retry, a skip, another replica taking over), and a new Projection (a restart) starts empty.
type masterCache struct {
	key      string
	stores   map[uuid.UUID]storeInfo
	products map[uuid.UUID]productInfo
}

// cacheKey names the tables of schema in the database tx works in (one Projection may serve
// runners on several databases, whose schemas have the same names).
func cacheKey(tx pgx.Tx, schema string) string {
	c := tx.Conn().Config()
	return fmt.Sprintf("%s:%d/%s/%s", c.Host, c.Port, c.Database, schema)
}

// cache returns the master-data cache of key, making it the most recently used; p.mu must be
// held.
func (p *Projection) cache(key string) *masterCache {
	i := slices.IndexFunc(p.caches, func(c *masterCache) bool { return c.key == key })
	var c *masterCache
	if i >= 0 {
		c = p.caches[i]
		p.caches = slices.Delete(p.caches, i, i+1)
	} else {
		c = &masterCache{key: key, stores: map[uuid.UUID]storeInfo{}, products: map[uuid.UUID]productInfo{}}
		if len(p.caches) == maxCaches {
			p.caches = p.caches[1:]
		}
	}
	p.caches = append(p.caches, c)
	return c
}
