package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// MinSecretLen is the shortest accepted HS256 secret, in bytes (256 bits).
const MinSecretLen = 32

// Key is one HS256 signing key and its ID (the JWT "kid" header).
type Key struct {
	ID     string
	Secret []byte
}

// NewKey returns the key for secret with an ID derived from it (a truncated SHA-256 of a
// domain-separated secret), so the same secret always has the same kid and rotating the
// secret changes it. It rejects secrets shorter than MinSecretLen.
func NewKey(secret []byte) (Key, error) {
	if len(secret) < MinSecretLen {
		return Key{}, fmt.Errorf("jwt secret: %d bytes, at least %d are needed", len(secret), MinSecretLen)
	}
	sum := sha256.Sum256(append([]byte("odata-pos jwt kid\x00"), secret...))
	return Key{ID: hex.EncodeToString(sum[:8]), Secret: append([]byte(nil), secret...)}, nil
}

// KeySet is the current signing key plus previous keys that still verify tokens, so keys can
// rotate without logging everybody out: deploy the new secret as current and the old one as
// previous for at least one access-token lifetime, then drop it.
type KeySet struct {
	current Key
	byID    map[string][]byte
}

// NewKeySet returns a key set signing with current and verifying with current and previous.
func NewKeySet(current Key, previous ...Key) (*KeySet, error) {
	ks := &KeySet{current: current, byID: map[string][]byte{}}
	var errs []error
	for _, k := range append([]Key{current}, previous...) {
		switch {
		case k.ID == "":
			errs = append(errs, errors.New("jwt key without id"))
		case len(k.Secret) < MinSecretLen:
			errs = append(errs, fmt.Errorf("jwt key %s: secret shorter than %d bytes", k.ID, MinSecretLen))
		case ks.byID[k.ID] != nil:
			errs = append(errs, fmt.Errorf("jwt key %s: duplicate id", k.ID))
		default:
			ks.byID[k.ID] = k.Secret
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ks, nil
}

// Current returns the signing key.
func (ks *KeySet) Current() Key { return ks.current }

// secret returns the secret of key id.
func (ks *KeySet) secret(id string) ([]byte, bool) {
	s, ok := ks.byID[id]
	return s, ok
}
