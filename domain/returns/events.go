package returns

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// TypeReturnRecorded is the event type name of ReturnRecorded.
const TypeReturnRecorded = "returns.return_recorded.v1"

// Event is a return event.
type Event interface{ EventType() string }

// ReturnedLine is one line of a return with its refund.
type ReturnedLine struct {
	// SaleLineID is the original line (uuid.Nil for a no-receipt return).
	SaleLineID uuid.UUID         `json:"sale_line_id,omitzero"`
	ProductID  uuid.UUID         `json:"product_id"`
	SKU        string            `json:"sku"`
	Category   string            `json:"category,omitempty"`
	Quantity   quantity.Quantity `json:"quantity"`
	UnitPrice  money.Money       `json:"unit_price"`
	TaxRateBP  int64             `json:"tax_rate_bp"`
	Restock    bool              `json:"restock"`
	Reason     string            `json:"reason"`
	// Net is the returned share of the line's net (after discounts, as priced); Tax its tax;
	// Refund what is paid back for it (Net, plus Tax when prices exclude tax).
	Net    money.Money `json:"net"`
	Tax    money.Money `json:"tax"`
	Refund money.Money `json:"refund"`
}

// Refund is money paid back in one tender.
type Refund struct {
	ID     uuid.UUID   `json:"id"`
	Tender string      `json:"tender"`
	Amount money.Money `json:"amount"`
}

// ReturnRecorded records a whole return.
type ReturnRecorded struct {
	ReturnID         uuid.UUID      `json:"return_id"`
	SaleID           uuid.UUID      `json:"sale_id,omitzero"`
	StoreID          uuid.UUID      `json:"store_id"`
	RegisterID       uuid.UUID      `json:"register_id,omitzero"`
	ShiftID          uuid.UUID      `json:"shift_id,omitzero"`
	NoReceipt        bool           `json:"no_receipt,omitempty"`
	PricesIncludeTax bool           `json:"prices_include_tax"`
	Lines            []ReturnedLine `json:"lines"`
	Refunds          []Refund       `json:"refunds"`
	Net              money.Money    `json:"net"`
	Tax              money.Money    `json:"tax"`
	Total            money.Money    `json:"total"`
	// CashOut is the cash paid out of the drawer.
	CashOut money.Money `json:"cash_out"`
	// ApprovedBy is the manager who approved the return, when one had to: the user ID, or
	// the distinct approvers comma-joined in the order of Approvals.
	ApprovedBy string `json:"approved_by,omitempty"`
	// Approvals are the approvals the return needed, each action with its approver
	// (return.no_receipt first); absent from returns recorded before it was kept.
	Approvals  []rules.Approval `json:"approvals,omitempty"`
	ReturnedAt time.Time        `json:"returned_at"`
}

// EventType returns TypeReturnRecorded.
func (ReturnRecorded) EventType() string { return TypeReturnRecorded }

// Register makes the return events known to r.
func Register(r rules.Registry) {
	r.Register(TypeReturnRecorded, ReturnRecorded{})
	r.Register(TypeReturnBooked, ReturnBooked{})
}

// State is a return as decided upon.
type State struct {
	Recorded ReturnRecorded
}

// Exists reports whether the return was recorded.
func (s State) Exists() bool { return s.Recorded.ReturnID != uuid.Nil }

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	if r, ok := e.(ReturnRecorded); ok {
		s.Recorded = r
	}
	return s
}
