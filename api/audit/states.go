package audit

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/domain/transfer"
	"github.com/odata-pos/pos/domain/user"
)

// The state endpoint renders each aggregate's state through one of these views: snake_case
// keys like every other response, one shape per kind, documented in api/openapi.yaml
// (AuditState*). Domain states carry no JSON tags (they are not a contract); the views name
// every field, and reuse only the tagged value types the events already store (settings,
// lines, payments, the close of a shift, a recorded return).

// StoreStateView is a store's state.
type StoreStateView struct {
	ID       uuid.UUID      `json:"id"`
	Code     string         `json:"code"`
	Name     string         `json:"name"`
	Currency string         `json:"currency"`
	Timezone string         `json:"timezone"`
	Settings store.Settings `json:"settings"`
}

func storeState(s store.State) any {
	return StoreStateView{ID: s.ID, Code: s.Code, Name: s.Name, Currency: s.Currency, Timezone: s.Timezone, Settings: s.Settings}
}

// RegisterStateView is a register's state; OpenShiftID is absent when no shift is open.
type RegisterStateView struct {
	ID                uuid.UUID `json:"id"`
	StoreID           uuid.UUID `json:"store_id"`
	Code              string    `json:"code"`
	Name              string    `json:"name"`
	OpenShiftID       uuid.UUID `json:"open_shift_id,omitzero"`
	LastZNumber       int64     `json:"last_z_number"`
	LastReceiptNumber int64     `json:"last_receipt_number"`
}

func registerState(s register.State) any {
	return RegisterStateView{ID: s.ID, StoreID: s.StoreID, Code: s.Code, Name: s.Name, OpenShiftID: s.OpenShiftID,
		LastZNumber: s.LastZ, LastReceiptNumber: s.LastReceipt}
}

// RatePeriodView is a tax rate in force from a moment on.
type RatePeriodView struct {
	From   time.Time `json:"from"`
	RateBP int64     `json:"rate_bp"`
}

// TaxCodeStateView is a tax code's state: its rates, ascending by from.
type TaxCodeStateView struct {
	ID    uuid.UUID        `json:"id"`
	Code  string           `json:"code"`
	Name  string           `json:"name"`
	Rates []RatePeriodView `json:"rates"`
}

func taxCodeState(s taxcode.State) any {
	v := TaxCodeStateView{ID: s.ID, Code: s.Code, Name: s.Name, Rates: make([]RatePeriodView, len(s.Rates))}
	for i, r := range s.Rates {
		v.Rates[i] = RatePeriodView{From: r.From, RateBP: r.RateBP}
	}
	return v
}

// PricePeriodView is a price in force from a moment on.
type PricePeriodView struct {
	From  time.Time   `json:"from"`
	Price money.Money `json:"price"`
}

// ActivityView is a deactivation (active false) or reactivation at a moment.
type ActivityView struct {
	At     time.Time `json:"at"`
	Active bool      `json:"active"`
}

// ProductStateView is a product's state: the product as created, whether it is active now,
// its prices ascending by from and its deactivations and reactivations ascending by at.
type ProductStateView struct {
	Product  catalog.ProductCreated `json:"product"`
	Active   bool                   `json:"active"`
	Prices   []PricePeriodView      `json:"prices"`
	Activity []ActivityView         `json:"activity"`
}

func productState(s catalog.State) any {
	v := ProductStateView{Product: s.Created, Active: s.Active(), Prices: make([]PricePeriodView, len(s.Prices)),
		Activity: make([]ActivityView, len(s.History))}
	for i, p := range s.Prices {
		v.Prices[i] = PricePeriodView{From: p.From, Price: p.Price}
	}
	for i, a := range s.History {
		v.Activity[i] = ActivityView{At: a.At, Active: a.Active}
	}
	return v
}

// ShiftStateView is a shift's state: its running cash figures, and once closed its close.
type ShiftStateView struct {
	ID           uuid.UUID          `json:"id"`
	StoreID      uuid.UUID          `json:"store_id"`
	RegisterID   uuid.UUID          `json:"register_id"`
	CashierID    string             `json:"cashier_id"`
	OpeningFloat money.Money        `json:"opening_float"`
	OpenedAt     time.Time          `json:"opened_at"`
	Closed       bool               `json:"closed"`
	ClosedAt     time.Time          `json:"closed_at,omitzero"`
	Close        *shift.ShiftClosed `json:"close,omitempty"`
	CashSales    money.Money        `json:"cash_sales"`
	CashRefunds  money.Money        `json:"cash_refunds"`
	PaidIn       money.Money        `json:"paid_in"`
	PaidOut      money.Money        `json:"paid_out"`
	SalesCount   int                `json:"sales_count"`
	LateSales    int                `json:"late_sales"`
	LateRefunds  int                `json:"late_refunds"`
}

func shiftState(s shift.State) any {
	v := ShiftStateView{ID: s.ID, StoreID: s.StoreID, RegisterID: s.RegisterID, CashierID: s.CashierID,
		OpeningFloat: s.OpeningFloat, OpenedAt: s.OpenedAt, Closed: s.Closed, ClosedAt: s.ClosedAt,
		CashSales: s.CashSales, CashRefunds: s.CashRefunds, PaidIn: s.PaidIn, PaidOut: s.PaidOut,
		SalesCount: s.SalesCount, LateSales: s.LateSales, LateRefunds: s.LateRefunds}
	if s.Closed {
		v.Close = &s.Close
	}
	return v
}

// SaleStateView is a sale's state: its lines as added (with their discount rules), the
// sale's discount rule, its payments, and how it ended.
type SaleStateView struct {
	ID               uuid.UUID      `json:"id"`
	StoreID          uuid.UUID      `json:"store_id"`
	RegisterID       uuid.UUID      `json:"register_id"`
	ShiftID          uuid.UUID      `json:"shift_id"`
	CashierID        string         `json:"cashier_id"`
	Currency         string         `json:"currency"`
	PricesIncludeTax bool           `json:"prices_include_tax"`
	Rounding         string         `json:"rounding"`
	Status           string         `json:"status"`
	OpenedAt         time.Time      `json:"opened_at"`
	Upload           bool           `json:"upload"`
	Flags            []string       `json:"flags"`
	Lines            []sale.Line    `json:"lines"`
	RemovedLines     []uuid.UUID    `json:"removed_lines"`
	Discount         sale.Discount  `json:"discount,omitzero"`
	Payments         []sale.Payment `json:"payments"`
	ReceiptNumber    int64          `json:"receipt_number,omitempty"`
	CompletedAt      time.Time      `json:"completed_at,omitzero"`
	VoidReason       string         `json:"void_reason,omitempty"`
}

func saleState(s sale.State) any {
	return SaleStateView{ID: s.ID, StoreID: s.StoreID, RegisterID: s.RegisterID, ShiftID: s.ShiftID, CashierID: s.CashierID,
		Currency: s.Currency, PricesIncludeTax: s.PricesIncludeTax, Rounding: string(s.Rounding), Status: string(s.Status),
		OpenedAt: s.OpenedAt, Upload: s.Upload, Flags: orEmpty(s.Flags), Lines: orEmpty(s.Lines), RemovedLines: orEmpty(s.RemovedLines),
		Discount: s.Discount, Payments: orEmpty(s.Payments), ReceiptNumber: s.ReceiptNumber, CompletedAt: s.CompletedAt,
		VoidReason: s.VoidReason}
}

// returnState is a return's state: the return as recorded (returns.ReturnRecorded).
func returnState(s returns.State) any { return s.Recorded }

// StockStateView is the stock of one product at one location: on hand is the last count
// plus the movements since it.
type StockStateView struct {
	LocationID uuid.UUID         `json:"location_id"`
	ProductID  uuid.UUID         `json:"product_id"`
	OnHand     quantity.Quantity `json:"on_hand"`
	LastCount  quantity.Quantity `json:"last_count"`
	SinceCount quantity.Quantity `json:"since_count"`
	CountedAt  time.Time         `json:"counted_at,omitzero"`
}

func stockState(s stock.State) any {
	return StockStateView{LocationID: s.LocationID, ProductID: s.ProductID, OnHand: s.OnHand(), LastCount: s.LastCount,
		SinceCount: s.SinceCount, CountedAt: s.CountedAt}
}

// TransferStateView is a transfer's state.
type TransferStateView struct {
	ID             uuid.UUID       `json:"id"`
	FromLocationID uuid.UUID       `json:"from_location_id"`
	ToLocationID   uuid.UUID       `json:"to_location_id"`
	Lines          []transfer.Line `json:"lines"`
	Status         string          `json:"status"`
}

func transferState(s transfer.State) any {
	return TransferStateView{ID: s.ID, FromLocationID: s.FromLocationID, ToLocationID: s.ToLocationID, Lines: orEmpty(s.Lines), Status: s.Status}
}

// UserStateView is a user's state (no credentials: those are not in the stream).
type UserStateView struct {
	ID       string   `json:"id"`
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
	StoreIDs []string `json:"store_ids"`
	Disabled bool     `json:"disabled"`
}

func userState(s user.State) any {
	return UserStateView{ID: s.ID, Username: s.Username, Roles: orEmpty(s.Roles), StoreIDs: orEmpty(s.StoreIDs), Disabled: s.Disabled}
}

// orEmpty returns s, or an empty slice for nil, so that lists render as [] and never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
