package audit

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeyEnv is the environment variable that holds the checkpoint key.
const KeyEnv = "POS_AUDIT_KEY"

// keyLabel separates the derived checkpoint key from every other use of the signing key.
const keyLabel = "odata-pos audit checkpoint key v1"

// MinKeySize is the least number of bytes of a checkpoint key.
const MinKeySize = 32

// DeriveKey derives the checkpoint key from the JWT signing key (HKDF-SHA256, no salt, info
// "odata-pos audit checkpoint key v1"). A token forged with the derived key is impossible
// and the derived key reveals nothing of the signing key.
func DeriveKey(signingKey []byte) ([]byte, error) {
	if len(signingKey) == 0 {
		return nil, errors.New("audit: derive checkpoint key: empty signing key")
	}
	return hkdf.Key(sha256.New, signingKey, nil, keyLabel, sha256.Size)
}

// ParseKey decodes a POS_AUDIT_KEY value: "hex:…", "base64:…" or the raw text, at least
// MinKeySize bytes once decoded.
func ParseKey(v string) ([]byte, error) {
	var key []byte
	var err error
	switch {
	case strings.HasPrefix(v, "hex:"):
		key, err = hex.DecodeString(strings.TrimPrefix(v, "hex:"))
	case strings.HasPrefix(v, "base64:"):
		key, err = base64.StdEncoding.DecodeString(strings.TrimPrefix(v, "base64:"))
	default:
		key = []byte(v)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KeyEnv, err)
	}
	if len(key) < MinKeySize {
		return nil, fmt.Errorf("%s: %d bytes, want at least %d", KeyEnv, len(key), MinKeySize)
	}
	return key, nil
}

// ResolveKey returns the checkpoint key: the value of POS_AUDIT_KEY (explicit, may be empty)
// when set, else the key derived from signingKey.
func ResolveKey(explicit string, signingKey []byte) ([]byte, error) {
	if explicit != "" {
		return ParseKey(explicit)
	}
	return DeriveKey(signingKey)
}
