package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

const (
	foldTag = "pos.audit.fold.v1"
	macTag  = "pos.audit.checkpoint.v1"
)

// Fold is the running chain hash of $all: every event's stream-chain hash together with its
// audit position (RecordedEvent.AuditPosition: the position it was first recorded at, which a
// restore into EventStoreDB keeps beside the new one) and recorded time, in position order.
// The zero Fold is the empty log.
type Fold struct {
	// Position is the position of the last event folded, in the store it is read from.
	Position eventstore.Position
	// AuditPosition is the audit position of the last event folded (Position, unless the
	// event was restored into a backend that gave it another).
	AuditPosition eventstore.Position
	// Count is the number of events folded.
	Count uint64
	// Hash is the chain hash after the last event.
	Hash chain.Hash
	buf  []byte
}

// Add folds one event (its Hash must be the stored chain hash; a missing one folds as zero).
func (f *Fold) Add(e *eventstore.RecordedEvent) {
	b := append(f.buf[:0], foldTag...)
	b = append(b, f.Hash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.AuditPosition()))
	b = binary.BigEndian.AppendUint64(b, uint64(e.RecordedAt.UnixNano()))
	var h chain.Hash
	copy(h[:], e.Hash)
	b = append(b, h[:]...)
	f.Hash = sha256.Sum256(b)
	f.buf = b
	f.Position, f.AuditPosition = e.Position, e.AuditPosition()
	f.Count++
}

// MAC computes a checkpoint's MAC with key.
func MAC(key []byte, position eventstore.Position, count uint64, hash chain.Hash) []byte {
	m := hmac.New(sha256.New, key)
	var b [len(macTag) + 16 + chain.Size]byte
	out := append(b[:0], macTag...)
	out = binary.BigEndian.AppendUint64(out, uint64(position))
	out = binary.BigEndian.AppendUint64(out, count)
	out = append(out, hash[:]...)
	m.Write(out)
	return m.Sum(nil)
}

// Checkpoint is a MAC'd seal of $all up to Position.
type Checkpoint struct {
	Position eventstore.Position
	Count    uint64
	Hash     chain.Hash
	MAC      []byte
}

// Valid reports whether c's MAC is right under key.
func (c Checkpoint) Valid(key []byte) bool {
	return hmac.Equal(c.MAC, MAC(key, c.Position, c.Count, c.Hash))
}
