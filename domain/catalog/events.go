package catalog

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// Event type names.
const (
	TypeProductCreated      = "catalog.product_created.v1"
	TypeProductPriceChanged = "catalog.price_changed.v1"
	TypeProductDeactivated  = "catalog.product_deactivated.v1"
	TypeProductReactivated  = "catalog.product_reactivated.v1"
)

// Event is a product event.
type Event interface{ EventType() string }

// ProductCreated records a new product with everything it was created with.
type ProductCreated struct {
	ProductID         uuid.UUID          `json:"product_id"`
	SKU               string             `json:"sku"`
	Barcodes          []string           `json:"barcodes"`
	Name              string             `json:"name"`
	Category          string             `json:"category"`
	Price             money.Money        `json:"price"`
	Cost              *money.Money       `json:"cost,omitempty"`
	TaxCode           string             `json:"tax_code"`
	TrackStock        bool               `json:"track_stock"`
	LowStockThreshold *quantity.Quantity `json:"low_stock_threshold,omitempty"`
	SoldByWeight      bool               `json:"sold_by_weight"`
	CreatedAt         time.Time          `json:"created_at"`
}

// ProductPriceChanged records a new price from EffectiveAt on.
type ProductPriceChanged struct {
	ProductID   uuid.UUID   `json:"product_id"`
	OldPrice    money.Money `json:"old_price"`
	Price       money.Money `json:"price"`
	EffectiveAt time.Time   `json:"effective_at"`
}

// ProductDeactivated records that the product can no longer be sold.
type ProductDeactivated struct {
	ProductID uuid.UUID `json:"product_id"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// ProductReactivated records that the product can be sold again.
type ProductReactivated struct {
	ProductID uuid.UUID `json:"product_id"`
	At        time.Time `json:"at"`
}

// EventType returns TypeProductCreated.
func (ProductCreated) EventType() string { return TypeProductCreated }

// EventType returns TypeProductPriceChanged.
func (ProductPriceChanged) EventType() string { return TypeProductPriceChanged }

// EventType returns TypeProductDeactivated.
func (ProductDeactivated) EventType() string { return TypeProductDeactivated }

// EventType returns TypeProductReactivated.
func (ProductReactivated) EventType() string { return TypeProductReactivated }

// Register makes the product events known to r.
func Register(r rules.Registry) {
	r.Register(TypeProductCreated, ProductCreated{})
	r.Register(TypeProductPriceChanged, ProductPriceChanged{})
	r.Register(TypeProductDeactivated, ProductDeactivated{})
	r.Register(TypeProductReactivated, ProductReactivated{})
}
