package integration

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/returns"
)

// ReturnRecorded is the data of return.recorded.v1: goods taken back and money refunded, as
// GET /api/v1/returns/{id} shows it. SaleID is absent for a no-receipt return.
type ReturnRecorded struct {
	ReturnID   uuid.UUID      `json:"return_id"`
	SaleID     *uuid.UUID     `json:"sale_id,omitempty"`
	StoreID    uuid.UUID      `json:"store_id"`
	RegisterID *uuid.UUID     `json:"register_id,omitempty"`
	ShiftID    *uuid.UUID     `json:"shift_id,omitempty"`
	NoReceipt  bool           `json:"no_receipt"`
	Lines      []ReturnedLine `json:"lines"`
	Refunds    []Refund       `json:"refunds"`
	Net        money.Money    `json:"net"`
	Tax        money.Money    `json:"tax"`
	Total      money.Money    `json:"total"`
	ReturnedAt time.Time      `json:"returned_at"`
}

// ReturnedLine is one product taken back. Refund is what is paid back for it.
type ReturnedLine struct {
	SaleLineID *uuid.UUID        `json:"sale_line_id,omitempty"`
	ProductID  uuid.UUID         `json:"product_id"`
	SKU        string            `json:"sku"`
	Quantity   quantity.Quantity `json:"quantity"`
	UnitPrice  money.Money       `json:"unit_price"`
	Restock    bool              `json:"restock"`
	Reason     string            `json:"reason"`
	Net        money.Money       `json:"net"`
	Tax        money.Money       `json:"tax"`
	Refund     money.Money       `json:"refund"`
}

// Refund is money paid back in one tender.
type Refund struct {
	ID     uuid.UUID   `json:"id"`
	Tender string      `json:"tender"`
	Amount money.Money `json:"amount"`
}

func returnRecorded(e returns.ReturnRecorded) (any, uuid.UUID) {
	out := ReturnRecorded{ReturnID: e.ReturnID, SaleID: optional(e.SaleID), StoreID: e.StoreID,
		RegisterID: optional(e.RegisterID), ShiftID: optional(e.ShiftID), NoReceipt: e.NoReceipt,
		Lines: make([]ReturnedLine, len(e.Lines)), Refunds: make([]Refund, len(e.Refunds)),
		Net: e.Net, Tax: e.Tax, Total: e.Total, ReturnedAt: e.ReturnedAt.UTC()}
	for i, l := range e.Lines {
		out.Lines[i] = ReturnedLine{SaleLineID: optional(l.SaleLineID), ProductID: l.ProductID, SKU: l.SKU,
			Quantity: l.Quantity, UnitPrice: l.UnitPrice, Restock: l.Restock, Reason: l.Reason,
			Net: l.Net, Tax: l.Tax, Refund: l.Refund}
	}
	for i, r := range e.Refunds {
		out.Refunds[i] = Refund{ID: r.ID, Tender: r.Tender, Amount: r.Amount}
	}
	return out, e.StoreID
}

// optional is nil for the nil UUID (absent in JSON).
func optional(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
