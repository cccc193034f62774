package integration

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/stock"
)

// StockMoved is the data of stock.moved.v1: a change of a product's stock at a location (a
// store), with the level after it. Kind is receipt, adjustment, sale, return, transfer_out or
// transfer_in; MovementID the sale, return, receipt, adjustment or transfer that caused it.
type StockMoved struct {
	LocationID uuid.UUID         `json:"location_id"`
	ProductID  uuid.UUID         `json:"product_id"`
	Kind       string            `json:"kind"`
	MovementID string            `json:"movement_id"`
	Delta      quantity.Quantity `json:"delta"`
	OnHand     quantity.Quantity `json:"on_hand"`
	Reason     string            `json:"reason,omitempty"`
	UnitCost   *money.Money      `json:"unit_cost,omitempty"`
	At         time.Time         `json:"at"`
}

// StockCounted is the data of stock.counted.v1: a stock count and its variance.
type StockCounted struct {
	LocationID uuid.UUID         `json:"location_id"`
	ProductID  uuid.UUID         `json:"product_id"`
	CountID    string            `json:"count_id"`
	Expected   quantity.Quantity `json:"expected"`
	Counted    quantity.Quantity `json:"counted"`
	Variance   quantity.Quantity `json:"variance"`
	At         time.Time         `json:"at"`
}

func stockMoved(e stock.StockMoved) (any, uuid.UUID) {
	return StockMoved{LocationID: e.LocationID, ProductID: e.ProductID, Kind: e.Kind, MovementID: e.MovementID,
		Delta: e.Delta, OnHand: e.OnHand, Reason: e.Reason, UnitCost: e.UnitCost, At: e.At.UTC()}, e.LocationID
}

func stockCounted(e stock.StockCounted) (any, uuid.UUID) {
	return StockCounted{LocationID: e.LocationID, ProductID: e.ProductID, CountID: e.CountID,
		Expected: e.Expected, Counted: e.Counted, Variance: e.Variance, At: e.At.UTC()}, e.LocationID
}
