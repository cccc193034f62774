package integration

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
)

// SaleCompleted is the data of sale.completed.v1: a finished sale as GET /api/v1/sales/{id}
// shows it (money in minor units with its currency, quantities as exact decimals).
type SaleCompleted struct {
	SaleID           uuid.UUID  `json:"sale_id"`
	StoreID          uuid.UUID  `json:"store_id"`
	RegisterID       uuid.UUID  `json:"register_id"`
	ShiftID          uuid.UUID  `json:"shift_id"`
	CashierID        string     `json:"cashier_id"`
	ReceiptNumber    int64      `json:"receipt_number"`
	Lines            []SaleLine `json:"lines"`
	Totals           SaleTotals `json:"totals"`
	Payments         []Payment  `json:"payments"`
	PricesIncludeTax bool       `json:"prices_include_tax"`
	CompletedAt      time.Time  `json:"completed_at"`
	// Upload is true for a sale an offline register rang up earlier and uploaded later.
	Upload bool `json:"upload"`
}

// SaleLine is one line of a completed sale.
type SaleLine struct {
	ID        uuid.UUID         `json:"id"`
	ProductID uuid.UUID         `json:"product_id"`
	SKU       string            `json:"sku"`
	Name      string            `json:"name"`
	Category  string            `json:"category,omitempty"`
	Quantity  quantity.Quantity `json:"quantity"`
	UnitPrice money.Money       `json:"unit_price"`
	TaxRateBP int64             `json:"tax_rate_bp"`
	// Discount is the line's own discount plus its share of the sale's; Tax the line's tax;
	// Total what the customer pays for the line.
	Discount money.Money `json:"discount"`
	Tax      money.Money `json:"tax"`
	Total    money.Money `json:"total"`
}

// SaleTotals are a sale's sums: total = subtotal − discount + tax when prices exclude tax
// (subtotal − discount when they include it); paid − change = total.
type SaleTotals struct {
	Subtotal money.Money `json:"subtotal"`
	Discount money.Money `json:"discount"`
	Tax      money.Money `json:"tax"`
	Total    money.Money `json:"total"`
	Paid     money.Money `json:"paid"`
	Change   money.Money `json:"change"`
}

// Payment is one tender taken (or, in sale.voided.v1, handed back).
type Payment struct {
	ID        uuid.UUID   `json:"id"`
	Tender    string      `json:"tender"`
	Amount    money.Money `json:"amount"`
	Reference string      `json:"reference,omitempty"`
}

// SaleVoided is the data of sale.voided.v1: a sale cancelled before completion.
type SaleVoided struct {
	SaleID uuid.UUID `json:"sale_id"`
	Reason string    `json:"reason"`
	// Payments are the tenders handed back.
	Payments []Payment `json:"payments"`
	VoidedAt time.Time `json:"voided_at"`
}

func saleCompleted(e sale.SaleCompleted) (any, uuid.UUID) {
	out := SaleCompleted{
		SaleID: e.SaleID, StoreID: e.StoreID, RegisterID: e.RegisterID, ShiftID: e.ShiftID,
		CashierID: e.CashierID, ReceiptNumber: e.ReceiptNumber, Lines: make([]SaleLine, len(e.Lines)),
		Totals: SaleTotals{Subtotal: e.Totals.Subtotal, Discount: e.Totals.Discount, Tax: e.Totals.Tax,
			Total: e.Totals.Total, Paid: e.Totals.Paid, Change: e.Totals.Change},
		Payments: payments(e.Payments), PricesIncludeTax: e.PricesIncludeTax,
		CompletedAt: e.CompletedAt.UTC(), Upload: e.Upload,
	}
	for i, l := range e.Lines {
		out.Lines[i] = SaleLine{ID: l.ID, ProductID: l.ProductID, SKU: l.SKU, Name: l.Name, Category: l.Category,
			Quantity: l.Quantity, UnitPrice: l.UnitPrice, TaxRateBP: l.TaxRateBP,
			Discount: l.Discount, Tax: l.Tax, Total: l.Total}
	}
	return out, e.StoreID
}

func saleVoided(e sale.SaleVoided) (any, uuid.UUID) {
	return SaleVoided{SaleID: e.SaleID, Reason: e.Reason, Payments: payments(e.Payments), VoidedAt: e.VoidedAt.UTC()}, uuid.Nil
}

func payments(ps []sale.Payment) []Payment {
	out := make([]Payment, len(ps))
	for i, p := range ps {
		out[i] = Payment{ID: p.ID, Tender: p.Tender, Amount: p.Amount, Reference: p.Reference}
	}
	return out
}
