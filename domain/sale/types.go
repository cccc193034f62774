package sale

import (
	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/tax"
)

// Status is the lifecycle state of a sale.
type Status string

// Sale statuses. A sale is open until checkout locks it, then completed; or voided.
const (
	StatusNone      Status = ""
	StatusOpen      Status = "open"
	StatusCheckout  Status = "checkout"
	StatusCompleted Status = "completed"
	StatusVoided    Status = "voided"
)

// Tenders.
const (
	TenderCash        = "cash"
	TenderCard        = "card"
	TenderGiftCard    = "gift_card"
	TenderStoreCredit = "store_credit"
	TenderOther       = "other"
)

// ValidTender reports whether t is a known tender.
func ValidTender(t string) bool {
	switch t {
	case TenderCash, TenderCard, TenderGiftCard, TenderStoreCredit, TenderOther:
		return true
	}
	return false
}

// Flags recorded on offline uploads.
const (
	// FlagShiftClosed: the shift the sale was rung in has closed since.
	FlagShiftClosed = "shift_closed"
	// FlagNegativeStock: the sale takes tracked stock below zero where the store forbids it.
	FlagNegativeStock = "negative_stock"
)

// Discount is a discount rule: a percentage in basis points or a fixed amount (one of them).
type Discount struct {
	PercentBP int64       `json:"percent_bp,omitempty"`
	Amount    money.Money `json:"amount,omitzero"`
}

// IsZero reports whether d gives nothing.
func (d Discount) IsZero() bool { return d.PercentBP == 0 && d.Amount.Amount == 0 }

// Of returns the discount amount on base, rounded in mode for percentages.
func (d Discount) Of(base money.Money, mode money.RoundingMode) (money.Money, error) {
	if d.PercentBP != 0 {
		return base.PercentBP(d.PercentBP, mode)
	}
	if d.Amount.Currency == "" {
		return money.Zero(base.Currency), nil
	}
	return d.Amount, nil
}

func (d Discount) validate(v *rules.Validator, field, currency string) {
	v.Check(d.PercentBP == 0 || d.Amount.Amount == 0, field, "give percent_bp or amount, not both")
	v.Check(d.PercentBP >= 0 && d.PercentBP <= 10000, field+".percent_bp", "must be between 0 and 10000")
	v.Check(d.Amount.Amount >= 0, field+".amount.amount", "must not be negative")
	v.Amount(field+".amount.amount", d.Amount)
	v.Check(d.Amount.Currency == "" || d.Amount.Currency == currency, field+".amount.currency", "must be "+currency)
}

// Line is a sale line with everything in force when it was added.
type Line struct {
	ID        uuid.UUID         `json:"id"`
	ProductID uuid.UUID         `json:"product_id"`
	SKU       string            `json:"sku"`
	Name      string            `json:"name"`
	Category  string            `json:"category,omitempty"`
	Quantity  quantity.Quantity `json:"quantity"`
	// UnitPrice is the price charged; ListPrice the catalog price in force when added.
	UnitPrice money.Money `json:"unit_price"`
	ListPrice money.Money `json:"list_price"`
	TaxCode   string      `json:"tax_code"`
	TaxRateBP int64       `json:"tax_rate_bp"`
	// DiscountRule is the line's own discount rule.
	DiscountRule Discount `json:"discount_rule,omitzero"`
	SoldByWeight bool     `json:"sold_by_weight,omitempty"`
	TrackStock   bool     `json:"track_stock,omitempty"`
}

// PricedLine is a line with its computed amounts.
type PricedLine struct {
	Line
	// Amount is unit price × quantity, rounded, before discounts.
	Amount money.Money `json:"amount"`
	// LineDiscount is the line's own discount; SaleDiscount its share of the sale discount;
	// Discount their sum.
	LineDiscount money.Money `json:"line_discount"`
	SaleDiscount money.Money `json:"sale_discount"`
	Discount     money.Money `json:"discount"`
	// Net is Amount − Discount as priced; Tax the line's rounded tax; Total what the customer
	// pays for the line (Net, plus Tax when prices exclude tax).
	Net   money.Money `json:"net"`
	Tax   money.Money `json:"tax"`
	Total money.Money `json:"total"`
}

func priced(l Line, r tax.LineResult) PricedLine {
	return PricedLine{Line: l, Amount: r.Amount, LineDiscount: r.LineDiscount, SaleDiscount: r.SaleDiscount,
		Discount: r.Discount, Net: r.Net, Tax: r.Tax, Total: r.Total}
}

// Payment is one tender taken.
type Payment struct {
	ID        uuid.UUID   `json:"id"`
	Tender    string      `json:"tender"`
	Amount    money.Money `json:"amount"`
	Reference string      `json:"reference,omitempty"`
}

// Totals are a sale's sums: Total = Subtotal − Discount + exclusive Tax; Paid − Change = Total
// once completed; Due = max(0, Total − Paid).
type Totals struct {
	Subtotal money.Money `json:"subtotal"`
	Discount money.Money `json:"discount"`
	Tax      money.Money `json:"tax"`
	Total    money.Money `json:"total"`
	Paid     money.Money `json:"paid"`
	Change   money.Money `json:"change"`
	Due      money.Money `json:"due"`
	// CashPaid is the cash tendered; NonCashPaid the rest.
	CashPaid    money.Money `json:"cash_paid"`
	NonCashPaid money.Money `json:"non_cash_paid"`
}
