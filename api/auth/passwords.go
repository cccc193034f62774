package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"
)

// DefaultPasswordParams are the argon2id parameters for a 2-core box: 19 MiB of memory,
// 2 passes, 1 lane (the OWASP minimum, m=19456 KiB, t=2, p=1), a 16-byte salt and a 32-byte
// key. One hash takes tens of milliseconds on an idle core (BenchmarkVerify); with at most
// GOMAXPROCS hashes at a time (see NewPasswords) a login burst uses at most ~40 MiB and
// cannot starve the API.
func DefaultPasswordParams() argon2id.Params {
	return argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// Password length limits, in bytes and characters.
const (
	MinPasswordChars = 10
	MaxPasswordBytes = 256
)

// ValidatePassword checks a new password: at least MinPasswordChars characters, at most
// MaxPasswordBytes bytes, valid UTF-8.
func ValidatePassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return errors.New("password must be valid UTF-8")
	case utf8.RuneCountInString(pw) < MinPasswordChars:
		return fmt.Errorf("password must have at least %d characters", MinPasswordChars)
	case len(pw) > MaxPasswordBytes:
		return fmt.Errorf("password must have at most %d bytes", MaxPasswordBytes)
	}
	return nil
}

// Passwords hashes and verifies passwords with argon2id, bounding how many hashes run at
// once. Unknown users are "verified" against a dummy hash so that a wrong username takes as
// long as a wrong password.
type Passwords struct {
	params argon2id.Params
	dummy  string
	slots  chan struct{}
}

// NewPasswords returns a Passwords with params allowing maxConcurrent hashes at a time
// (0 means GOMAXPROCS).
func NewPasswords(params argon2id.Params, maxConcurrent int) (*Passwords, error) {
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	dummy, err := argon2id.CreateHash("odata-pos dummy password", &params)
	if err != nil {
		return nil, fmt.Errorf("dummy password hash: %w", err)
	}
	return &Passwords{params: params, dummy: dummy, slots: make(chan struct{}, maxConcurrent)}, nil
}

// acquire waits for a hashing slot.
func (p *Passwords) acquire(ctx context.Context) error {
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release frees a hashing slot.
func (p *Passwords) release() { <-p.slots }

// Hash returns the encoded argon2id hash of password.
func (p *Passwords) Hash(ctx context.Context, password string) (string, error) {
	if err := p.acquire(ctx); err != nil {
		return "", err
	}
	defer p.release()
	h, err := argon2id.CreateHash(password, &p.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// Verify reports whether password matches hash (in constant time), and whether the hash
// should be recomputed because it was made with other parameters or another algorithm. A
// bcrypt hash (users imported from O'Data POS v1, "$2b$12$...") is accepted and always asks
// for a rehash. An unparsable hash is an error.
func (p *Passwords) Verify(ctx context.Context, password, hash string) (ok, rehash bool, err error) {
	if err := p.acquire(ctx); err != nil {
		return false, false, err
	}
	defer p.release()
	if IsLegacyHash(hash) {
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		switch {
		case err == nil:
			return true, true, nil
		case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
			return false, false, nil
		}
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	match, params, err := argon2id.CheckHash(password, hash)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	return match, match && *params != p.params, nil
}

// VerifyUnknown spends the time of one verification and returns false: call it when the
// username does not exist (or the user is disabled) so timing does not reveal which.
func (p *Passwords) VerifyUnknown(ctx context.Context, password string) bool {
	_, _, _ = p.Verify(ctx, password, p.dummy)
	return false
}

// IsLegacyHash reports whether hash is a bcrypt hash ("$2a$", "$2b$" or "$2y$"), as
// O'Data POS v1 stored them.
func IsLegacyHash(hash string) bool {
	return strings.HasPrefix(hash, "$2a$") || strings.HasPrefix(hash, "$2b$") || strings.HasPrefix(hash, "$2y$")
}
