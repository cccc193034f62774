package domain

import (
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/reservation"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/domain/transfer"
)

// RegisterWriteSide makes the event types of the write-side aggregates (store, register, tax
// code, product, shift, sale, return, stock, transfer, reservation) known to r, for example an
// eventstore codec.
func RegisterWriteSide(r rules.Registry) {
	for _, register := range []func(rules.Registry){
		store.Register, register.Register, taxcode.Register, catalog.Register, shift.Register,
		sale.Register, returns.Register, stock.Register, transfer.Register, reservation.Register,
	} {
		register(r)
	}
}
