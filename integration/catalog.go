package integration

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
)

// ProductCreated is the data of product.created.v1, as GET /api/v1/products/{id} shows it.
type ProductCreated struct {
	ProductID         uuid.UUID          `json:"product_id"`
	SKU               string             `json:"sku"`
	Barcodes          []string           `json:"barcodes"`
	Name              string             `json:"name"`
	Category          string             `json:"category"`
	Price             money.Money        `json:"price"`
	TaxCode           string             `json:"tax_code"`
	TrackStock        bool               `json:"track_stock"`
	LowStockThreshold *quantity.Quantity `json:"low_stock_threshold,omitempty"`
	SoldByWeight      bool               `json:"sold_by_weight"`
	CreatedAt         time.Time          `json:"created_at"`
}

// ProductPriceChanged is the data of product.price_changed.v1.
type ProductPriceChanged struct {
	ProductID   uuid.UUID   `json:"product_id"`
	OldPrice    money.Money `json:"old_price"`
	Price       money.Money `json:"price"`
	EffectiveAt time.Time   `json:"effective_at"`
}

// ProductActivity is the data of product.deactivated.v1 and product.reactivated.v1.
type ProductActivity struct {
	ProductID uuid.UUID `json:"product_id"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// productCreated leaves the cost out: it is the chain's purchase price, not for other systems.
func productCreated(e catalog.ProductCreated) (any, uuid.UUID) {
	barcodes := e.Barcodes
	if barcodes == nil {
		barcodes = []string{}
	}
	return ProductCreated{ProductID: e.ProductID, SKU: e.SKU, Barcodes: barcodes, Name: e.Name, Category: e.Category,
		Price: e.Price, TaxCode: e.TaxCode, TrackStock: e.TrackStock, LowStockThreshold: e.LowStockThreshold,
		SoldByWeight: e.SoldByWeight, CreatedAt: e.CreatedAt.UTC()}, uuid.Nil
}

func productPriceChanged(e catalog.ProductPriceChanged) (any, uuid.UUID) {
	return ProductPriceChanged{ProductID: e.ProductID, OldPrice: e.OldPrice, Price: e.Price, EffectiveAt: e.EffectiveAt.UTC()}, uuid.Nil
}

func productDeactivated(e catalog.ProductDeactivated) (any, uuid.UUID) {
	return ProductActivity{ProductID: e.ProductID, Reason: e.Reason, At: e.At.UTC()}, uuid.Nil
}

func productReactivated(e catalog.ProductReactivated) (any, uuid.UUID) {
	return ProductActivity{ProductID: e.ProductID, At: e.At.UTC()}, uuid.Nil
}
