package register

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

// SnapshotKind names the snapshot format of State; a change of State's fields changes it, so
// that snapshots of the old shape are ignored rather than misread.
const SnapshotKind = "register.v2"

// snapshot is the stored form of State.
type snapshot struct {
	ID          uuid.UUID           `json:"id"`
	StoreID     uuid.UUID           `json:"store_id"`
	Code        string              `json:"code"`
	Name        string              `json:"name"`
	History     bool                `json:"history,omitempty"`
	OpenShiftID uuid.UUID           `json:"open_shift_id"`
	LastZ       int64               `json:"last_z"`
	LastReceipt int64               `json:"last_receipt"`
	ZByShift    map[uuid.UUID]int64 `json:"z_by_shift"`
}

// MarshalSnapshot encodes s for a snapshot (see SnapshotKind).
func MarshalSnapshot(s State) ([]byte, error) {
	return json.Marshal(snapshot{ID: s.ID, StoreID: s.StoreID, Code: s.Code, Name: s.Name, History: s.History, OpenShiftID: s.OpenShiftID,
		LastZ: s.LastZ, LastReceipt: s.LastReceipt, ZByShift: s.zByShift})
}

// UnmarshalSnapshot decodes a snapshot made by MarshalSnapshot into a State of its own (no
// map is shared with another State).
func UnmarshalSnapshot(b []byte) (State, error) {
	return DecodeSnapshot(b, json.Unmarshal)
}

// DecodeSnapshot is UnmarshalSnapshot with another decoder in json.Unmarshal's place, one that
// gives the same values for the same bytes (the command layer's is faster).
func DecodeSnapshot(b []byte, unmarshal func([]byte, any) error) (State, error) {
	var sn snapshot
	if err := unmarshal(b, &sn); err != nil {
		return State{}, fmt.Errorf("register snapshot: %w", err)
	}
	if sn.ZByShift == nil {
		sn.ZByShift = map[uuid.UUID]int64{}
	}
	return State{ID: sn.ID, StoreID: sn.StoreID, Code: sn.Code, Name: sn.Name, History: sn.History, OpenShiftID: sn.OpenShiftID,
		LastZ: sn.LastZ, LastReceipt: sn.LastReceipt, zByShift: sn.ZByShift}, nil
}
