package register

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/rules"
)

// Event type names.
const (
	TypeRegisterCreated       = "registers.register_created.v1"
	TypeShiftOpened           = "registers.shift_opened.v1"
	TypeShiftClosed           = "registers.shift_closed.v1"
	TypeReceiptNumberReserved = "registers.receipt_number_reserved.v1"
)

// Event is a register event.
type Event interface{ EventType() string }

// RegisterCreated records a new register in a store.
type RegisterCreated struct {
	RegisterID uuid.UUID `json:"register_id"`
	StoreID    uuid.UUID `json:"store_id"`
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	// History (added later; absent means false) reserves the register for imported history.
	History bool `json:"history,omitempty"`
}

// ShiftOpened records that ShiftID is now the register's open shift.
type ShiftOpened struct {
	RegisterID uuid.UUID `json:"register_id"`
	ShiftID    uuid.UUID `json:"shift_id"`
	OpenedAt   time.Time `json:"opened_at"`
}

// ShiftClosed records the close of ShiftID with its Z number.
type ShiftClosed struct {
	RegisterID uuid.UUID `json:"register_id"`
	ShiftID    uuid.UUID `json:"shift_id"`
	ZNumber    int64     `json:"z_number"`
	ClosedAt   time.Time `json:"closed_at"`
}

// ReceiptNumberReserved records that receipt Number belongs to SaleID.
type ReceiptNumberReserved struct {
	RegisterID uuid.UUID `json:"register_id"`
	SaleID     uuid.UUID `json:"sale_id"`
	Number     int64     `json:"number"`
}

// EventType returns TypeRegisterCreated.
func (RegisterCreated) EventType() string { return TypeRegisterCreated }

// EventType returns TypeShiftOpened.
func (ShiftOpened) EventType() string { return TypeShiftOpened }

// EventType returns TypeShiftClosed.
func (ShiftClosed) EventType() string { return TypeShiftClosed }

// EventType returns TypeReceiptNumberReserved.
func (ReceiptNumberReserved) EventType() string { return TypeReceiptNumberReserved }

// Register makes the register events known to r.
func Register(r rules.Registry) {
	r.Register(TypeRegisterCreated, RegisterCreated{})
	r.Register(TypeShiftOpened, ShiftOpened{})
	r.Register(TypeShiftClosed, ShiftClosed{})
	r.Register(TypeReceiptNumberReserved, ReceiptNumberReserved{})
}
