package shift

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
)

// Event type names.
const (
	TypeShiftOpened          = "shifts.shift_opened.v1"
	TypeCashMovementRecorded = "shifts.cash_movement_recorded.v1"
	TypeCashSaleRecorded     = "shifts.cash_sale_recorded.v1"
	TypeCashRefundRecorded   = "shifts.cash_refund_recorded.v1"
	TypeShiftClosed          = "shifts.shift_closed.v1"
)

// Cash movement types.
const (
	PaidIn  = "paid_in"
	PaidOut = "paid_out"
)

// Event is a shift event.
type Event interface{ EventType() string }

// ShiftOpened records a shift opening with its float.
type ShiftOpened struct {
	ShiftID      uuid.UUID   `json:"shift_id"`
	StoreID      uuid.UUID   `json:"store_id"`
	RegisterID   uuid.UUID   `json:"register_id"`
	CashierID    string      `json:"cashier_id"`
	OpeningFloat money.Money `json:"opening_float"`
	OpenedAt     time.Time   `json:"opened_at"`
}

// CashMovementRecorded records cash put in or taken out of the drawer outside sales.
type CashMovementRecorded struct {
	ShiftID    uuid.UUID   `json:"shift_id"`
	MovementID uuid.UUID   `json:"movement_id"`
	Type       string      `json:"type"`
	Amount     money.Money `json:"amount"`
	Reason     string      `json:"reason"`
	At         time.Time   `json:"at"`
}

// CashSaleRecorded records the cash a completed sale left in the drawer (cash tendered minus
// change). AfterClose marks a sale that reached the shift after it closed.
type CashSaleRecorded struct {
	ShiftID    uuid.UUID   `json:"shift_id"`
	SaleID     uuid.UUID   `json:"sale_id"`
	Amount     money.Money `json:"amount"`
	AfterClose bool        `json:"after_close,omitempty"`
}

// CashRefundRecorded records cash paid out by a return. AfterClose as for CashSaleRecorded.
type CashRefundRecorded struct {
	ShiftID    uuid.UUID   `json:"shift_id"`
	ReturnID   uuid.UUID   `json:"return_id"`
	Amount     money.Money `json:"amount"`
	AfterClose bool        `json:"after_close,omitempty"`
}

// ShiftClosed records the close with every figure of the Z report.
type ShiftClosed struct {
	ShiftID      uuid.UUID   `json:"shift_id"`
	RegisterID   uuid.UUID   `json:"register_id"`
	ZNumber      int64       `json:"z_number"`
	OpeningFloat money.Money `json:"opening_float"`
	CashSales    money.Money `json:"cash_sales"`
	CashRefunds  money.Money `json:"cash_refunds"`
	PaidIn       money.Money `json:"paid_in"`
	PaidOut      money.Money `json:"paid_out"`
	ExpectedCash money.Money `json:"expected_cash"`
	CountedCash  money.Money `json:"counted_cash"`
	OverShort    money.Money `json:"over_short"`
	SalesCount   int         `json:"sales_count"`
	ApprovedBy   string      `json:"approved_by,omitempty"`
	ClosedAt     time.Time   `json:"closed_at"`
}

// EventType returns TypeShiftOpened.
func (ShiftOpened) EventType() string { return TypeShiftOpened }

// EventType returns TypeCashMovementRecorded.
func (CashMovementRecorded) EventType() string { return TypeCashMovementRecorded }

// EventType returns TypeCashSaleRecorded.
func (CashSaleRecorded) EventType() string { return TypeCashSaleRecorded }

// EventType returns TypeCashRefundRecorded.
func (CashRefundRecorded) EventType() string { return TypeCashRefundRecorded }

// EventType returns TypeShiftClosed.
func (ShiftClosed) EventType() string { return TypeShiftClosed }

// Register makes the shift events known to r.
func Register(r rules.Registry) {
	r.Register(TypeShiftOpened, ShiftOpened{})
	r.Register(TypeCashMovementRecorded, CashMovementRecorded{})
	r.Register(TypeCashSaleRecorded, CashSaleRecorded{})
	r.Register(TypeCashRefundRecorded, CashRefundRecorded{})
	r.Register(TypeShiftClosed, ShiftClosed{})
}
