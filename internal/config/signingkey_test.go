package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSigningKeyGeneratedOncePersisted(t *testing.T) {
	cfg := Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")

	key, src, err := cfg.SigningKey()
	if err != nil {
		t.Fatalf("SigningKey: %v", err)
	}
	if src != KeyGenerated || len(key) < MinJWTSecretLen {
		t.Fatalf("got %d bytes from %s, want a generated key", len(key), src)
	}
	info, err := os.Stat(cfg.KeyFile())
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %o, want 600", perm)
	}

	again, src, err := cfg.SigningKey()
	if err != nil {
		t.Fatalf("SigningKey again: %v", err)
	}
	if src != KeyFromFile || string(again) != string(key) {
		t.Errorf("second start got a different key (from %s)", src)
	}
}

func TestSigningKeySources(t *testing.T) {
	secret := strings.Repeat("s", 32)
	cfg := Default()
	cfg.JWTSecret = secret
	if key, src, err := cfg.SigningKey(); err != nil || src != KeyFromSecret || string(key) != secret {
		t.Errorf("secret: %q %s %v", key, src, err)
	}

	file := filepath.Join(t.TempDir(), "jwt")
	if err := os.WriteFile(file, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg = Default()
	cfg.Env = EnvProduction
	cfg.JWTKeyFile = file
	if key, src, err := cfg.SigningKey(); err != nil || src != KeyFromFile || string(key) != secret {
		t.Errorf("key file: %q %s %v", key, src, err)
	}

	cfg.JWTKeyFile = filepath.Join(t.TempDir(), "missing")
	if _, _, err := cfg.SigningKey(); err == nil {
		t.Error("production generated a key for a missing key file")
	}

	if err := os.WriteFile(file, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.JWTKeyFile = file
	if _, _, err := cfg.SigningKey(); err == nil {
		t.Error("accepted a short key file")
	}
}
