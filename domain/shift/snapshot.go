package shift

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
)

// SnapshotKind names the snapshot format of State; a change of State's fields changes it.
const SnapshotKind = "shift.v1"

// snapshot is the stored form of State.
type snapshot struct {
	ID           uuid.UUID   `json:"id"`
	StoreID      uuid.UUID   `json:"store_id"`
	RegisterID   uuid.UUID   `json:"register_id"`
	CashierID    string      `json:"cashier_id"`
	OpeningFloat money.Money `json:"opening_float"`
	OpenedAt     time.Time   `json:"opened_at"`
	Closed       bool        `json:"closed"`
	ClosedAt     time.Time   `json:"closed_at"`
	Close        ShiftClosed `json:"close"`
	CashSales    money.Money `json:"cash_sales"`
	CashRefunds  money.Money `json:"cash_refunds"`
	PaidIn       money.Money `json:"paid_in"`
	PaidOut      money.Money `json:"paid_out"`
	SalesCount   int         `json:"sales_count"`
	LateSales    int         `json:"late_sales"`
	LateRefunds  int         `json:"late_refunds"`
	Seen         []uuid.UUID `json:"seen"`
}

// MarshalSnapshot encodes s for a snapshot (see SnapshotKind).
func MarshalSnapshot(s State) ([]byte, error) {
	seen := make([]uuid.UUID, 0, len(s.seen))
	for id := range s.seen {
		seen = append(seen, id)
	}
	sort.Slice(seen, func(i, j int) bool { return seen[i].String() < seen[j].String() })
	return json.Marshal(snapshot{ID: s.ID, StoreID: s.StoreID, RegisterID: s.RegisterID, CashierID: s.CashierID,
		OpeningFloat: s.OpeningFloat, OpenedAt: s.OpenedAt, Closed: s.Closed, ClosedAt: s.ClosedAt, Close: s.Close,
		CashSales: s.CashSales, CashRefunds: s.CashRefunds, PaidIn: s.PaidIn, PaidOut: s.PaidOut,
		SalesCount: s.SalesCount, LateSales: s.LateSales, LateRefunds: s.LateRefunds, Seen: seen})
}

// UnmarshalSnapshot decodes a snapshot made by MarshalSnapshot into a State of its own.
func UnmarshalSnapshot(b []byte) (State, error) {
	return DecodeSnapshot(b, json.Unmarshal)
}

// DecodeSnapshot is UnmarshalSnapshot with another decoder in json.Unmarshal's place, one that
// gives the same values for the same bytes (the command layer's is faster).
func DecodeSnapshot(b []byte, unmarshal func([]byte, any) error) (State, error) {
	var sn snapshot
	if err := unmarshal(b, &sn); err != nil {
		return State{}, fmt.Errorf("shift snapshot: %w", err)
	}
	seen := make(map[uuid.UUID]bool, len(sn.Seen))
	for _, id := range sn.Seen {
		seen[id] = true
	}
	return State{ID: sn.ID, StoreID: sn.StoreID, RegisterID: sn.RegisterID, CashierID: sn.CashierID,
		OpeningFloat: sn.OpeningFloat, OpenedAt: sn.OpenedAt, Closed: sn.Closed, ClosedAt: sn.ClosedAt, Close: sn.Close,
		CashSales: sn.CashSales, CashRefunds: sn.CashRefunds, PaidIn: sn.PaidIn, PaidOut: sn.PaidOut,
		SalesCount: sn.SalesCount, LateSales: sn.LateSales, LateRefunds: sn.LateRefunds, seen: seen}, nil
}
