package sale

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
)

// Event type names.
const (
	TypeSaleOpened      = "sales.sale_opened.v1"
	TypeLineAdded       = "sales.line_added.v1"
	TypeLineRemoved     = "sales.line_removed.v1"
	TypeDiscountApplied = "sales.discount_applied.v1"
	TypePaymentAdded    = "sales.payment_added.v1"
	TypeCheckoutStarted = "sales.checkout_started.v1"
	TypeSaleCompleted   = "sales.sale_completed.v1"
	TypeSaleVoided      = "sales.sale_voided.v1"
)

// Event is a sale event.
type Event interface{ EventType() string }

// SaleOpened records a new sale in a store, on a register, in a shift, with the store's pricing.
type SaleOpened struct {
	SaleID           uuid.UUID          `json:"sale_id"`
	StoreID          uuid.UUID          `json:"store_id"`
	RegisterID       uuid.UUID          `json:"register_id"`
	ShiftID          uuid.UUID          `json:"shift_id"`
	CashierID        string             `json:"cashier_id"`
	Currency         string             `json:"currency"`
	PricesIncludeTax bool               `json:"prices_include_tax"`
	Rounding         money.RoundingMode `json:"rounding"`
	OpenedAt         time.Time          `json:"opened_at"`
	// Upload marks an offline sale uploaded later; Flags what it made inconsistent.
	Upload bool     `json:"upload,omitempty"`
	Flags  []string `json:"flags,omitempty"`
	// Imported (added later; absent on live sales) marks a sale imported from history.
	Imported *Imported `json:"imported,omitempty"`
}

// LineAdded records a line with the price and tax in force when it was added.
type LineAdded struct {
	SaleID uuid.UUID `json:"sale_id"`
	Line   Line      `json:"line"`
	// PriceOverrideBy and DiscountApprovedBy name the approving manager, when one approved.
	PriceOverrideBy    string   `json:"price_override_by,omitempty"`
	DiscountApprovedBy string   `json:"discount_approved_by,omitempty"`
	Flags              []string `json:"flags,omitempty"`
}

// LineRemoved records a line taken off the sale (a line void). ApprovedBy approved a removal
// after payment; DiscountApprovedBy the effective discount the removal left beyond the
// cashier's limit.
type LineRemoved struct {
	SaleID             uuid.UUID `json:"sale_id"`
	LineID             uuid.UUID `json:"line_id"`
	AfterPayment       bool      `json:"after_payment,omitempty"`
	ApprovedBy         string    `json:"approved_by,omitempty"`
	DiscountApprovedBy string    `json:"discount_approved_by,omitempty"`
}

// DiscountApplied records a discount rule on a line (LineID set) or on the whole sale; it
// replaces any earlier rule there. Amount is the discount it gave when applied.
type DiscountApplied struct {
	SaleID     uuid.UUID   `json:"sale_id"`
	LineID     uuid.UUID   `json:"line_id,omitzero"`
	Discount   Discount    `json:"discount"`
	Amount     money.Money `json:"amount"`
	ApprovedBy string      `json:"approved_by,omitempty"`
}

// PaymentAdded records a tender taken.
type PaymentAdded struct {
	SaleID  uuid.UUID `json:"sale_id"`
	Payment Payment   `json:"payment"`
}

// CheckoutStarted records that the sale is fully paid and locked for completion.
type CheckoutStarted struct {
	SaleID uuid.UUID `json:"sale_id"`
	Totals Totals    `json:"totals"`
}

// SaleCompleted records the finished sale with everything projections and audit need.
type SaleCompleted struct {
	SaleID        uuid.UUID    `json:"sale_id"`
	StoreID       uuid.UUID    `json:"store_id"`
	RegisterID    uuid.UUID    `json:"register_id"`
	ShiftID       uuid.UUID    `json:"shift_id"`
	CashierID     string       `json:"cashier_id"`
	ReceiptNumber int64        `json:"receipt_number"`
	Lines         []PricedLine `json:"lines"`
	SaleDiscount  Discount     `json:"sale_discount,omitzero"`
	Totals        Totals       `json:"totals"`
	Payments      []Payment    `json:"payments"`
	// CashIn is the cash left in the drawer: cash tendered − change.
	CashIn           money.Money `json:"cash_in"`
	PricesIncludeTax bool        `json:"prices_include_tax"`
	CompletedAt      time.Time   `json:"completed_at"`
	Upload           bool        `json:"upload,omitempty"`
	Flags            []string    `json:"flags,omitempty"`
}

// SaleVoided records a cancelled sale; Payments are the tenders to hand back. InCheckout marks
// a sale voided while locked in checkout, after its shift closed without recording its cash
// (see VoidSale): its cash was never in the shift's expected cash.
type SaleVoided struct {
	SaleID     uuid.UUID `json:"sale_id"`
	Reason     string    `json:"reason"`
	Payments   []Payment `json:"payments,omitempty"`
	ApprovedBy string    `json:"approved_by,omitempty"`
	VoidedAt   time.Time `json:"voided_at"`
	InCheckout bool      `json:"in_checkout,omitempty"`
}

// EventType returns TypeSaleOpened.
func (SaleOpened) EventType() string { return TypeSaleOpened }

// EventType returns TypeLineAdded.
func (LineAdded) EventType() string { return TypeLineAdded }

// EventType returns TypeLineRemoved.
func (LineRemoved) EventType() string { return TypeLineRemoved }

// EventType returns TypeDiscountApplied.
func (DiscountApplied) EventType() string { return TypeDiscountApplied }

// EventType returns TypePaymentAdded.
func (PaymentAdded) EventType() string { return TypePaymentAdded }

// EventType returns TypeCheckoutStarted.
func (CheckoutStarted) EventType() string { return TypeCheckoutStarted }

// EventType returns TypeSaleCompleted.
func (SaleCompleted) EventType() string { return TypeSaleCompleted }

// EventType returns TypeSaleVoided.
func (SaleVoided) EventType() string { return TypeSaleVoided }

// Register makes the sale events known to r.
func Register(r rules.Registry) {
	r.Register(TypeSaleOpened, SaleOpened{})
	r.Register(TypeLineAdded, LineAdded{})
	r.Register(TypeLineRemoved, LineRemoved{})
	r.Register(TypeDiscountApplied, DiscountApplied{})
	r.Register(TypePaymentAdded, PaymentAdded{})
	r.Register(TypeCheckoutStarted, CheckoutStarted{})
	r.Register(TypeSaleCompleted, SaleCompleted{})
	r.Register(TypeSaleVoided, SaleVoided{})
}
