// Package config loads and validates the configuration of the posd server: the POS_*
// environment variables of DESIGN.md ("Configuration"), optionally completed by a .env-style
// file given with --config, and the command-line flags (--role). Validate reports every problem
// at once, so a bad start fails with one message that lists all of them.
//
// The package also owns the development JWT signing key: when neither POS_JWT_SECRET nor
// POS_JWT_KEY_FILE is given, SigningKey generates a key on first start and persists it (mode
// 0600) under POS_DATA_DIR, so tokens survive restarts.
package config
