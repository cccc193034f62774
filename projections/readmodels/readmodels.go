// Package readmodels lists the operational read models (catalog, stock, sales, returns,
// shifts, users) so that cmd/posd registers them with its projection runner in one call:
//
//	projections.Config{…, Projections: append(readmodels.All(codec), reports…)}
//
// and builds the query side over the same database with NewQueries.
package readmodels

import (
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/catalog"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/returns"
	"github.com/odata-pos/pos/projections/sales"
	"github.com/odata-pos/pos/projections/shifts"
	"github.com/odata-pos/pos/projections/stock"
	"github.com/odata-pos/pos/projections/users"
)

// All returns the operational read models; codec must know every write-side event
// (commands.NewCodec()). They decode through one readkit.Shared, so an event two of them
// follow (a sale's completion) is decoded once.
func All(codec *eventstore.Codec) []projections.Projection {
	return AllDecoding(readkit.NewShared(codec, 0))
}

// AllDecoding returns the operational read models decoding with dec.
func AllDecoding(dec readkit.Decoder) []projections.Projection {
	codec := dec
	return []projections.Projection{
		catalog.New(codec), stock.New(codec), sales.New(codec), returns.New(codec), shifts.New(codec), users.New(codec),
	}
}

// Queries are the query sides of the read models, each reading its projection's stable views.
type Queries struct {
	Catalog *catalog.Queries
	Stock   *stock.Queries
	Sales   *sales.Queries
	Returns *returns.Queries
	Shifts  *shifts.Queries
	Users   *users.Queries
}

// NewQueries returns the query sides reading through db (the read-model database).
func NewQueries(db readkit.Querier) Queries {
	return Queries{
		Catalog: catalog.NewQueries(db), Stock: stock.NewQueries(db), Sales: sales.NewQueries(db),
		Returns: returns.NewQueries(db), Shifts: shifts.NewQueries(db), Users: users.NewQueries(db),
	}
}
