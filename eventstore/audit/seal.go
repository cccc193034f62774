package audit

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

// sealPrefix starts the text form of a checkpoint (its version: the fields after it).
const sealPrefix = "posseal1:"

// Seal returns the compact text form of c that posd publishes outside the database (its log
// and metrics) and that `posctl audit verify --expect` takes:
//
//	posseal1:<position>:<event count>:<chain hash, 64 hex>:<MAC, 64 hex>
func (c Checkpoint) Seal() string {
	return fmt.Sprintf("%s%d:%d:%s:%s", sealPrefix, c.Position, c.Count, c.Hash, hex.EncodeToString(c.MAC))
}

// String returns c's Seal.
func (c Checkpoint) String() string { return c.Seal() }

// ParseSeal reads a seal in the text form of Checkpoint.Seal. It checks the form only; Valid
// tells whether the MAC is right under a key.
func ParseSeal(s string) (Checkpoint, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), sealPrefix)
	parts := strings.Split(rest, ":")
	if !ok || len(parts) != 4 {
		return Checkpoint{}, fmt.Errorf("seal %q: want %s<position>:<count>:<chain hash>:<mac>", s, sealPrefix)
	}
	pos, errP := strconv.ParseUint(parts[0], 10, 63)
	count, errC := strconv.ParseUint(parts[1], 10, 63)
	hash, errH := hex.DecodeString(parts[2])
	mac, errM := hex.DecodeString(parts[3])
	if err := errors.Join(errP, errC, errH, errM); err != nil {
		return Checkpoint{}, fmt.Errorf("seal %q: %w", s, err)
	}
	h, err := chain.FromBytes(hash)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("seal %q: %w", s, err)
	}
	if len(mac) != chain.Size {
		return Checkpoint{}, fmt.Errorf("seal %q: mac has %d bytes, want %d", s, len(mac), chain.Size)
	}
	return Checkpoint{Position: eventstore.Position(pos), Count: count, Hash: h, MAC: mac}, nil
}

// same reports whether c and o are the same seal.
func (c Checkpoint) same(o Checkpoint) bool {
	return c.Position == o.Position && c.Count == o.Count && c.Hash == o.Hash && string(c.MAC) == string(o.MAC)
}
