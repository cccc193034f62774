package commands

import (
	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/domain/transfer"
	"github.com/odata-pos/pos/eventstore"
)

// Stream names of the write-side aggregates, "<category>-<id>". Projections and audit filter
// on the category prefixes (StorePrefix, …), so these names are part of the stored history:
// never change them.
const (
	StorePrefix    = "store-"
	RegisterPrefix = "register-"
	TaxCodePrefix  = "taxcode-"
	ProductPrefix  = "product-"
	ShiftPrefix    = "shift-"
	SalePrefix     = "sale-"
	ReturnPrefix   = "return-"
	StockPrefix    = "stock-"
	TransferPrefix = "transfer-"
	UserPrefix     = "user-"
)

// StoreStream names a store's stream.
func StoreStream(id uuid.UUID) string { return StorePrefix + id.String() }

// RegisterStream names a register's stream.
func RegisterStream(id uuid.UUID) string { return RegisterPrefix + id.String() }

// TaxCodeStream names a tax code's stream.
func TaxCodeStream(id uuid.UUID) string { return TaxCodePrefix + id.String() }

// ProductStream names a product's stream.
func ProductStream(id uuid.UUID) string { return ProductPrefix + id.String() }

// ShiftStream names a shift's stream.
func ShiftStream(id uuid.UUID) string { return ShiftPrefix + id.String() }

// SaleStream names a sale's stream.
func SaleStream(id uuid.UUID) string { return SalePrefix + id.String() }

// ReturnStream names a return's stream.
func ReturnStream(id uuid.UUID) string { return ReturnPrefix + id.String() }

// StockStream names the stream of one product's stock at one location.
func StockStream(locationID, productID uuid.UUID) string {
	return StockPrefix + locationID.String() + "." + productID.String()
}

// TransferStream names a transfer's stream.
func TransferStream(id uuid.UUID) string { return TransferPrefix + id.String() }

// snapshotEvery bounds how many events a load folds past its snapshot, for the aggregates
// whose streams grow with every sale: a register (one receipt number per sale), a shift (the
// cash of each sale; a web shop's shift may stay open for days) and a product's stock at a
// location (one movement per sale line).
const snapshotEvery = 100

// Aggregates of the write side, for Execute and Load.
var (
	StoreAggregate    = Aggregate[store.State, store.Event]{Initial: zero[store.State], Evolve: store.Evolve}
	RegisterAggregate = Aggregate[register.State, register.Event]{Initial: zero[register.State], Evolve: register.Evolve,
		Snapshot: &Snapshotting[register.State]{Kind: register.SnapshotKind, Every: snapshotEvery,
			Encode: register.MarshalSnapshot, Decode: fastDecode(register.DecodeSnapshot), Clone: register.State.Clone}}
	TaxCodeAggregate = Aggregate[taxcode.State, taxcode.Event]{Initial: zero[taxcode.State], Evolve: taxcode.Evolve}
	ProductAggregate = Aggregate[catalog.State, catalog.Event]{Initial: zero[catalog.State], Evolve: catalog.Evolve}
	ShiftAggregate   = Aggregate[shift.State, shift.Event]{Initial: zero[shift.State], Evolve: shift.Evolve,
		Snapshot: &Snapshotting[shift.State]{Kind: shift.SnapshotKind, Every: snapshotEvery,
			Encode: shift.MarshalSnapshot, Decode: fastDecode(shift.DecodeSnapshot), Clone: shift.State.Clone}}
	SaleAggregate   = Aggregate[sale.State, sale.Event]{Initial: zero[sale.State], Evolve: sale.Evolve}
	ReturnAggregate = Aggregate[returns.State, returns.Event]{Initial: zero[returns.State], Evolve: returns.Evolve}
	StockAggregate  = Aggregate[stock.State, stock.Event]{Initial: zero[stock.State], Evolve: stock.Evolve,
		Snapshot: &Snapshotting[stock.State]{Kind: stock.SnapshotKind, Every: snapshotEvery,
			Encode: stock.MarshalSnapshot, Decode: fastDecode(stock.DecodeSnapshot)}}
	TransferAggregate = Aggregate[transfer.State, transfer.Event]{Initial: zero[transfer.State], Evolve: transfer.Evolve}
)

// fastDecode is a domain's DecodeSnapshot with eventstore.UnmarshalJSON as its decoder: the
// values json.Unmarshal gives, in less CPU (the snapshots of a sale's register and shift are
// decoded at every sale).
func fastDecode[S any](decode func([]byte, func([]byte, any) error) (S, error)) func([]byte) (S, error) {
	return func(b []byte) (S, error) { return decode(b, eventstore.UnmarshalJSON) }
}

func zero[S any]() S {
	var s S
	return s
}
