package stock

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// Event type names.
const (
	TypeStockMoved   = "inventory.stock_moved.v1"
	TypeStockCounted = "inventory.stock_counted.v1"
)

// Movement kinds.
const (
	KindReceipt     = "receipt"
	KindAdjustment  = "adjustment"
	KindSale        = "sale"
	KindReturn      = "return"
	KindTransferOut = "transfer_out"
	KindTransferIn  = "transfer_in"
)

// Adjustment reason codes.
const (
	ReasonDamage     = "damage"
	ReasonTheft      = "theft"
	ReasonExpired    = "expired"
	ReasonCorrection = "correction"
	ReasonOther      = "other"
)

// FlagNegativeStock marks a sale that took stock below zero where the store forbids it.
const FlagNegativeStock = "negative_stock"

// ValidReason reports whether r is an adjustment reason code.
func ValidReason(r string) bool {
	switch r {
	case ReasonDamage, ReasonTheft, ReasonExpired, ReasonCorrection, ReasonOther:
		return true
	}
	return false
}

// ErrInsufficientStock: the movement would take stock below zero where that is forbidden.
var ErrInsufficientStock = &rules.RuleError{Code: "insufficient_stock", Msg: "not enough stock", Conflict: true}

// Event is a stock event.
type Event interface{ EventType() string }

// StockMoved records a movement of Delta (negative for stock leaving) and the level after it.
type StockMoved struct {
	LocationID uuid.UUID         `json:"location_id"`
	ProductID  uuid.UUID         `json:"product_id"`
	Kind       string            `json:"kind"`
	MovementID string            `json:"movement_id"`
	Delta      quantity.Quantity `json:"delta"`
	OnHand     quantity.Quantity `json:"on_hand"`
	Reason     string            `json:"reason,omitempty"`
	UnitCost   *money.Money      `json:"unit_cost,omitempty"`
	Flags      []string          `json:"flags,omitempty"`
	At         time.Time         `json:"at"`
	// Source is the position in $all of the event a policy recorded the movement from (sales
	// and returns; zero in movements written before it was recorded).
	Source uint64 `json:"source,omitempty"`
}

// StockCounted records a count: what was expected, what was counted and the variance.
type StockCounted struct {
	LocationID uuid.UUID         `json:"location_id"`
	ProductID  uuid.UUID         `json:"product_id"`
	CountID    string            `json:"count_id"`
	Expected   quantity.Quantity `json:"expected"`
	Counted    quantity.Quantity `json:"counted"`
	Variance   quantity.Quantity `json:"variance"`
	At         time.Time         `json:"at"`
}

// EventType returns TypeStockMoved.
func (StockMoved) EventType() string { return TypeStockMoved }

// EventType returns TypeStockCounted.
func (StockCounted) EventType() string { return TypeStockCounted }

// Register makes the stock events known to r.
func Register(r rules.Registry) {
	r.Register(TypeStockMoved, StockMoved{})
	r.Register(TypeStockCounted, StockCounted{})
}

// State is one product's stock at one location. Its map is updated in place by Evolve: treat
// a State passed to Evolve as consumed.
type State struct {
	LocationID uuid.UUID
	ProductID  uuid.UUID
	// LastCount is the last counted quantity (zero before any count) and SinceCount the sum of
	// movements after it, so OnHand = LastCount + SinceCount.
	LastCount  quantity.Quantity
	SinceCount quantity.Quantity
	CountedAt  time.Time
	seen       map[string]bool
	// transfersOut are the movement IDs of the transfers that left through this stock.
	transfersOut []string
	// marks are the source marks of the sale and return movements, by kind.
	marks map[string]sourceMark
}

// OnHand is the last count plus the movements since.
func (s State) OnHand() quantity.Quantity { return s.LastCount + s.SinceCount }

// TransfersOut returns the movement IDs of the transfers that left through this stock, oldest
// first (a caller checks which are still in transit).
func (s State) TransfersOut() []string { return s.transfersOut }

// Seen reports whether a movement or count ID was recorded. Sale and return movements are
// not remembered (see remembered).
func (s State) Seen(id string) bool { return s.seen[id] }

// remembered reports whether State keeps the IDs of movements of kind, so that a repeated ID
// is a no-op. Sales and returns are the bulk of a stream and come only from the policies,
// which handle their sources in $all order: the source marks find a repeat (and, for streams
// whose last such movement predates the marks, the command layer finds it by its event IDs
// among the events after its source); keeping their IDs here would grow the state with every
// sale ever made. Documents (receipts, adjustments, counts,
// transfers) carry client IDs that may be sent again at any time and are remembered.
func remembered(kind string) bool { return kind != KindSale && kind != KindReturn }

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	switch e := e.(type) {
	case StockMoved:
		s.LocationID, s.ProductID = e.LocationID, e.ProductID
		if remembered(e.Kind) {
			s.seen[e.MovementID] = true
		}
		if e.Kind == KindTransferOut {
			s.transfersOut = append(s.transfersOut, e.MovementID)
		}
		if sourced(e.Kind) {
			s.mark(e)
		}
		s.SinceCount += e.Delta
	case StockCounted:
		s.LocationID, s.ProductID = e.LocationID, e.ProductID
		s.seen[e.CountID] = true
		s.LastCount, s.SinceCount, s.CountedAt = e.Counted, 0, e.At
	}
	return s
}
