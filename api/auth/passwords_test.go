package auth_test

import (
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/odata-pos/pos/api/auth"
)

// cheapParams keep the test fast; the default parameters are exercised once below.
func cheapParams() argon2id.Params {
	return argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

func TestPasswords(t *testing.T) {
	p, err := auth.NewPasswords(auth.DefaultPasswordParams(), 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	h, err := p.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "correct horse") {
		t.Errorf("hash = %s", h)
	}
	if ok, rehash, err := p.Verify(ctx, "correct horse battery staple", h); !ok || rehash || err != nil {
		t.Errorf("right password: %v %v %v", ok, rehash, err)
	}
	if ok, _, err := p.Verify(ctx, "correct horse battery stapler", h); ok || err != nil {
		t.Errorf("wrong password: %v %v", ok, err)
	}
	if p.VerifyUnknown(ctx, "anything") {
		t.Error("VerifyUnknown returned true")
	}
	if _, _, err := p.Verify(ctx, "x", "not a hash"); err == nil {
		t.Error("garbage hash accepted")
	}

	// A hash made with older parameters verifies and asks to be rehashed.
	cheap, _ := auth.NewPasswords(cheapParams(), 1)
	old, _ := cheap.Hash(ctx, "correct horse battery staple")
	if ok, rehash, err := p.Verify(ctx, "correct horse battery staple", old); !ok || !rehash || err != nil {
		t.Errorf("old parameters: %v %v %v", ok, rehash, err)
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                    false,
		"long enough":              true,
		"ééééééééééé":              true,
		strings.Repeat("x", 257):   false,
		"invalid \xff utf8 string": false,
	} {
		if err := auth.ValidatePassword(pw); (err == nil) != ok {
			t.Errorf("%q: %v", pw, err)
		}
	}
}

// BenchmarkVerify and BenchmarkVerifyUnknown should report about the same time per
// operation: a login for an unknown user costs as much as one with a wrong password.
func BenchmarkVerify(b *testing.B) {
	p, _ := auth.NewPasswords(auth.DefaultPasswordParams(), 0)
	h, _ := p.Hash(b.Context(), "correct horse battery staple")
	for b.Loop() {
		_, _, _ = p.Verify(b.Context(), "wrong password", h)
	}
}

// BenchmarkVerifyUnknown measures the dummy verification of unknown users.
func BenchmarkVerifyUnknown(b *testing.B) {
	p, _ := auth.NewPasswords(auth.DefaultPasswordParams(), 0)
	for b.Loop() {
		p.VerifyUnknown(b.Context(), "wrong password")
	}
}
