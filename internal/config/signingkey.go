package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// GeneratedKeyFileName is the file under DataDir that holds a generated development JWT key.
const GeneratedKeyFileName = "jwt-signing.key"

// KeySource tells where SigningKey found the JWT signing key.
type KeySource string

// Key sources.
const (
	KeyFromSecret    KeySource = "POS_JWT_SECRET"
	KeyFromFile      KeySource = "key file"
	KeyGenerated     KeySource = "generated"
	generatedKeySize           = 32
)

// KeyFile returns the file that holds the signing key when POS_JWT_SECRET is not set:
// POS_JWT_KEY_FILE, or the generated key under DataDir.
func (c Config) KeyFile() string {
	if c.JWTKeyFile != "" {
		return c.JWTKeyFile
	}
	return filepath.Join(c.DataDir, GeneratedKeyFileName)
}

// SigningKey returns the JWT signing key: POS_JWT_SECRET, else the content of the key file
// (surrounding white space trimmed). In development a missing key file is created with a new
// random key (mode 0600, its directory 0700), so tokens stay valid across restarts; in
// production a missing key file is an error.
func (c Config) SigningKey() ([]byte, KeySource, error) {
	if c.JWTSecret != "" {
		return []byte(c.JWTSecret), KeyFromSecret, nil
	}
	path := c.KeyFile()
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key := []byte(strings.TrimSpace(string(b)))
		if len(key) < MinJWTSecretLen {
			return nil, "", fmt.Errorf("jwt key file %s: %d bytes, at least %d are needed", path, len(key), MinJWTSecretLen)
		}
		return key, KeyFromFile, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, "", fmt.Errorf("read jwt key file: %w", err)
	case c.Env != EnvDevelopment:
		return nil, "", fmt.Errorf("jwt key file %s does not exist (keys are generated only in development)", path)
	}

	raw := make([]byte, generatedKeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", fmt.Errorf("generate jwt key: %w", err)
	}
	key := []byte(base64.RawURLEncoding.EncodeToString(raw))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, "", fmt.Errorf("create jwt key directory: %w", err)
	}
	// O_EXCL: if another process created the file meanwhile, use its key instead.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return c.SigningKey()
	}
	if err != nil {
		return nil, "", fmt.Errorf("create jwt key file: %w", err)
	}
	if _, err := f.Write(append(key, '\n')); err != nil {
		f.Close()
		return nil, "", fmt.Errorf("write jwt key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, "", fmt.Errorf("write jwt key file: %w", err)
	}
	return key, KeyGenerated, nil
}
