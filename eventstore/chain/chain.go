package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Size is the length of a hash in bytes.
const Size = sha256.Size

// Hash is an event's chain hash.
type Hash [Size]byte

// Zero is the previous hash of a stream's first event.
var Zero Hash

// Tag starts every canonical encoding (domain separation and versioning of the format).
const Tag = "pos.chain.v1"

// Event is the content an event's hash covers.
type Event struct {
	Stream   string
	Revision uint64
	ID       uuid.UUID
	Type     string
	// Data and Metadata are the exact stored bytes (for EventStoreDB: without MetadataKey).
	Data     []byte
	Metadata []byte
}

// Encode appends the canonical encoding of e chained to prev to dst and returns it.
func Encode(dst []byte, prev Hash, e Event) []byte {
	dst = append(dst, Tag...)
	dst = append(dst, prev[:]...)
	dst = appendLP(dst, []byte(e.Stream))
	dst = binary.BigEndian.AppendUint64(dst, e.Revision)
	dst = append(dst, e.ID[:]...)
	dst = appendLP(dst, []byte(e.Type))
	dst = appendLP(dst, e.Data)
	dst = appendLP(dst, e.Metadata)
	return dst
}

func appendLP(dst, b []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(len(b)))
	return append(dst, b...)
}

// Sum returns the hash of e chained to prev.
func Sum(prev Hash, e Event) Hash {
	n := len(Tag) + Size + 8*5 + 16 + len(e.Stream) + len(e.Type) + len(e.Data) + len(e.Metadata)
	return sha256.Sum256(Encode(make([]byte, 0, n), prev, e))
}

// Hasher computes Sum reusing one buffer; it is not safe for concurrent use.
type Hasher struct{ buf []byte }

// Sum is the package Sum without an allocation per event.
func (h *Hasher) Sum(prev Hash, e Event) Hash {
	h.buf = Encode(h.buf[:0], prev, e)
	return sha256.Sum256(h.buf)
}

// FromBytes converts a stored hash; it fails unless b has Size bytes.
func FromBytes(b []byte) (Hash, error) {
	var h Hash
	if len(b) != Size {
		return h, fmt.Errorf("chain hash has %d bytes, want %d", len(b), Size)
	}
	copy(h[:], b)
	return h, nil
}

// String renders h in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MetadataKey is the reserved member of an EventStoreDB event's user metadata that holds the
// event's chain hash (hex). It is always the last member, written by JoinMetadata.
const MetadataKey = "$chain"

// suffix is what JoinMetadata writes before the hex hash.
const suffix = `"` + MetadataKey + `":"`

// ErrNoHash is returned by SplitMetadata for metadata without a chain hash.
var ErrNoHash = errors.New("metadata carries no chain hash")

// JoinMetadata returns metadata (a JSON object) with the hash added as its last member.
func JoinMetadata(metadata []byte, h Hash) ([]byte, error) {
	m := bytes.TrimRight(metadata, " \t\r\n")
	if len(m) < 2 || m[0] != '{' || m[len(m)-1] != '}' || len(m) != len(metadata) {
		return nil, errors.New("chain: metadata must be a JSON object without trailing space")
	}
	out := make([]byte, 0, len(m)+len(suffix)+2*Size+3)
	out = append(out, m[:len(m)-1]...)
	if len(bytes.TrimSpace(m[1:len(m)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(out, suffix...)
	out = hex.AppendEncode(out, h[:])
	return append(out, '"', '}'), nil
}

// SplitMetadata undoes JoinMetadata: it returns the original metadata bytes and the hash.
func SplitMetadata(stored []byte) ([]byte, Hash, error) {
	var h Hash
	tail := len(suffix) + 2*Size + 2 // suffix, hex, closing quote and brace
	if len(stored) < tail+1 || stored[len(stored)-1] != '}' || stored[len(stored)-2] != '"' {
		return stored, h, ErrNoHash
	}
	at := len(stored) - tail
	if !bytes.Equal(stored[at:at+len(suffix)], []byte(suffix)) {
		return stored, h, ErrNoHash
	}
	if _, err := hex.Decode(h[:], stored[at+len(suffix):len(stored)-2]); err != nil {
		return stored, h, fmt.Errorf("chain hash in metadata: %w", err)
	}
	orig := make([]byte, 0, at+1)
	orig = append(orig, stored[:at]...)
	if n := len(orig); n > 0 && orig[n-1] == ',' {
		orig = orig[:n-1]
	}
	return append(orig, '}'), h, nil
}
