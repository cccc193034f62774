package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/joho/godotenv"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	evaudit "github.com/odata-pos/pos/eventstore/audit"
	"github.com/odata-pos/pos/internal/config"
	"github.com/odata-pos/pos/internal/credentials"
	"github.com/odata-pos/pos/internal/pguuid"
	"github.com/odata-pos/pos/internal/storage"
)

// backend is the event store and read-model database of the configuration.
type backend struct {
	cfg   config.Config
	store eventstore.Store
	db    *pgxpool.Pool
	// pg is true when the events live in db (no EventStoreDB configured).
	pg bool
}

// loadConfig reads the POS_* configuration (and --config).
func loadConfig(e env) (config.Config, error) {
	var args []string
	if e.configFile != "" {
		args = []string{"--config", e.configFile}
	}
	cfg, err := config.Load(args, e.lookup, io.Discard)
	if err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	return cfg, nil
}

// open connects to the configured event store and database; close releases both.
func open(ctx context.Context, e env) (*backend, func(), error) {
	cfg, err := loadConfig(e)
	if err != nil {
		return nil, nil, err
	}
	db, err := pguuid.NewPool(ctx, cfg.DatabaseURL)
	if err == nil {
		if err = db.Ping(ctx); err != nil {
			db.Close()
		}
	}
	if err != nil {
		return nil, nil, databaseError(e, cfg, err)
	}
	events, err := storage.Open(ctx, storage.Options{ESDBURL: cfg.ESDBURL, DatabaseURL: cfg.DatabaseURL, SkipMigrations: true})
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("event store: %w", err)
	}
	b := &backend{cfg: cfg, db: db, store: events.Store, pg: events.InDatabase()}
	return b, func() { _ = b.store.Close(); db.Close() }, nil
}

// commandSide is the write side over an opened backend: a command handler and the credential
// store (for the commands that register users).
type commandSide struct {
	*backend
	handler *commands.Handler
	creds   *credentials.Store
}

// openCommands opens the backend (see open) and the command side over it.
func openCommands(ctx context.Context, e env) (*commandSide, func(), error) {
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	creds, err := credentials.New(ctx, b.db)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return &commandSide{backend: b, handler: commands.NewHandler(b.store, commands.NewCodec(), commands.Options{}), creds: creds}, closeAll, nil
}

// databaseError names the variable, the value (without its password) and its source in an
// error of the database: posctl may run with another environment than posd.
func databaseError(e env, cfg config.Config, err error) error {
	return fmt.Errorf("database: POS_DATABASE_URL=%s (%s): %w", cfg.RedactedDatabaseURL(), databaseURLSource(e), err)
}

// databaseURLSource tells where POS_DATABASE_URL came from: the environment, the --config
// file, or posd's default when neither sets it.
func databaseURLSource(e env) string {
	const name = "POS_DATABASE_URL"
	if _, ok := e.lookup(name); ok {
		return "from the environment"
	}
	if e.configFile != "" {
		if file, err := godotenv.Read(e.configFile); err == nil && file[name] != "" {
			return "from --config " + e.configFile
		}
		return "the default: neither the environment nor --config " + e.configFile + " sets it"
	}
	return "the default: not set in the environment, and no --config FILE"
}

// auditKey resolves the checkpoint key: POS_AUDIT_KEY, else derived from the JWT key.
func auditKey(e env, cfg config.Config) ([]byte, error) {
	if v, ok := e.lookup(evaudit.KeyEnv); ok && v != "" {
		return evaudit.ParseKey(v)
	}
	key, source, err := cfg.SigningKey()
	if err != nil {
		return nil, fmt.Errorf("audit key: set %s, or the JWT key posd uses: %w", evaudit.KeyEnv, err)
	}
	if source == config.KeyGenerated {
		return nil, fmt.Errorf("audit key: no %s and no JWT key (one was just generated, so nothing would verify); configure the key posd uses", evaudit.KeyEnv)
	}
	return evaudit.DeriveKey(key)
}
