package stock

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/quantity"
)

// SnapshotKind names the snapshot format of State; a change of State's fields changes it.
const SnapshotKind = "stock.v3" // v2: with the transfers out; v3: with the source marks

// snapshot is the stored form of State.
type snapshot struct {
	LocationID uuid.UUID             `json:"location_id"`
	ProductID  uuid.UUID             `json:"product_id"`
	LastCount  quantity.Quantity     `json:"last_count"`
	SinceCount quantity.Quantity     `json:"since_count"`
	CountedAt  time.Time             `json:"counted_at"`
	Seen       []string              `json:"seen"`
	Transfers  []string              `json:"transfers_out"`
	Marks      map[string]sourceMark `json:"marks,omitempty"`
}

// MarshalSnapshot encodes s for a snapshot (see SnapshotKind).
func MarshalSnapshot(s State) ([]byte, error) {
	seen := make([]string, 0, len(s.seen))
	for id := range s.seen {
		seen = append(seen, id)
	}
	sort.Strings(seen)
	return json.Marshal(snapshot{LocationID: s.LocationID, ProductID: s.ProductID, LastCount: s.LastCount,
		SinceCount: s.SinceCount, CountedAt: s.CountedAt, Seen: seen, Transfers: s.transfersOut, Marks: s.marks})
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
		return State{}, fmt.Errorf("stock snapshot: %w", err)
	}
	seen := make(map[string]bool, len(sn.Seen))
	for _, id := range sn.Seen {
		seen[id] = true
	}
	return State{LocationID: sn.LocationID, ProductID: sn.ProductID, LastCount: sn.LastCount,
		SinceCount: sn.SinceCount, CountedAt: sn.CountedAt, seen: seen, transfersOut: sn.Transfers, marks: sn.Marks}, nil
}
