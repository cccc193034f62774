package sale

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// Command is a sale command.
type Command interface{ isCommand() }

// StoreInfo is what the sale needs of its store (loaded by the caller).
type StoreInfo struct {
	ID               uuid.UUID
	Currency         string
	PricesIncludeTax bool
	Rounding         money.RoundingMode
}

// ShiftInfo is the sale's shift as the caller loaded it.
type ShiftInfo struct {
	ID         uuid.UUID
	RegisterID uuid.UUID
	OpenedAt   time.Time
	// ClosedAt is zero while the shift is open.
	ClosedAt time.Time
}

func (sh ShiftInfo) openAt(t time.Time) bool {
	return sh.ID != uuid.Nil && !t.Before(sh.OpenedAt) && (sh.ClosedAt.IsZero() || !t.After(sh.ClosedAt))
}

// Product is what a line needs of its product, as in force at the sale's time (for an upload:
// at OccurredAt). The caller fills it from the catalog, tax code and stock aggregates.
type Product struct {
	ID           uuid.UUID
	SKU          string
	Name         string
	Category     string
	Active       bool
	SoldByWeight bool
	Price        money.Money
	TaxCode      string
	TaxRateBP    int64
	TrackStock   bool
	// OnHand is the current stock at the store, nil when not checked.
	OnHand *quantity.Quantity
	// AllowNegativeStock is the store setting.
	AllowNegativeStock bool
}

// OpenSale starts a sale. OccurredAt is the client time (zero: now); Upload marks an offline
// sale uploaded late.
type OpenSale struct {
	SaleID     uuid.UUID
	Store      StoreInfo
	RegisterID uuid.UUID
	Shift      ShiftInfo
	CashierID  string
	OccurredAt time.Time
	Upload     bool
	// Imported, for a sale brought in from another system's history (an upload), says where
	// it came from; its receipt number is then the source's, not the register's next one.
	Imported *Imported
}

// AddLine adds a product. UnitPrice, when set and different from the product's price, is a
// price override and needs an approval; a discount beyond Limits needs one too.
type AddLine struct {
	LineID    uuid.UUID
	Product   Product
	Quantity  quantity.Quantity
	UnitPrice *money.Money
	Discount  Discount
	Limits    rules.Limits
	Approvals rules.Approvals
}

// RemoveLine voids a line; after a payment was taken it needs a sale.void approval. A removal
// that lifts the sale's effective discount beyond Limits (the share of a fixed sale discount
// grows as lines go) needs a sale.discount approval.
type RemoveLine struct {
	LineID    uuid.UUID
	Limits    rules.Limits
	Approvals rules.Approvals
}

// ApplyDiscount sets the discount rule of a line (LineID) or of the whole sale (LineID nil).
// A zero Discount removes it.
type ApplyDiscount struct {
	LineID    uuid.UUID
	Discount  Discount
	Limits    rules.Limits
	Approvals rules.Approvals
}

// AddPayment takes a tender.
type AddPayment struct {
	Payment Payment
}

// StartCheckout checks that the sale can complete and locks it (see package register).
type StartCheckout struct {
	Shift ShiftInfo
}

// CompleteSale finishes the sale with the receipt number the register reserved for it.
type CompleteSale struct {
	ReceiptNumber int64
	Shift         ShiftInfo
}

// VoidSale cancels an open sale; with payments taken it needs a sale.void approval.
//
// A sale locked in checkout is voided only when it can never complete: a live sale whose
// shift closed without recording its cash (completion's step 2 refuses a live sale once the
// shift closed). Shift is then what the shift stream says of the sale; the caller loads it.
// A sale whose cash the shift did record is in the close's figures and must complete instead.
type VoidSale struct {
	Reason    string
	Approvals rules.Approvals
	Shift     ShiftCash
}

// ShiftCash is what a sale's shift stream says of the sale: whether the shift closed, and
// whether it recorded the sale's cash (step 2 of completion). Only the shift stream knows
// whether a sale locked in checkout got past that step.
type ShiftCash struct {
	// ShiftID is the shift the stream is of; zero when the caller did not load it.
	ShiftID uuid.UUID
	// Closed is true once the shift stream recorded the close.
	Closed bool
	// Recorded is true when the shift recorded the sale's cash.
	Recorded bool
}

func (OpenSale) isCommand()      {}
func (AddLine) isCommand()       {}
func (RemoveLine) isCommand()    {}
func (ApplyDiscount) isCommand() {}
func (AddPayment) isCommand()    {}
func (StartCheckout) isCommand() {}
func (CompleteSale) isCommand()  {}
func (VoidSale) isCommand()      {}
