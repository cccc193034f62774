package main

import (
	"context"
	"fmt"

	"github.com/odata-pos/pos/internal/credentials"
	"github.com/odata-pos/pos/internal/storage"
	"github.com/odata-pos/pos/projections"
)

// runMigrate applies every schema migration posd applies at start: the PostgreSQL event
// store's (unless the events are in EventStoreDB), the projection runner's checkpoint table and
// the credentials table. It is idempotent.
func runMigrate(ctx context.Context, e env) error {
	if len(e.args) > 0 {
		return fmt.Errorf("%w: posctl migrate takes no arguments", errUsage)
	}
	pg, err := migrateEventStore(ctx, e)
	if err != nil {
		return err
	}
	if pg {
		fmt.Fprintln(e.stdout, "event store: migrated")
	} else {
		fmt.Fprintln(e.stdout, "event store: EventStoreDB, no migrations")
	}
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	r, err := projections.New(projections.Config{Pool: b.db, Store: b.store, Projections: allProjections()})
	if err != nil {
		return err
	}
	if err := r.Migrate(ctx); err != nil {
		return fmt.Errorf("projection tables: %w", err)
	}
	fmt.Fprintln(e.stdout, "projections: migrated")
	if _, err := credentials.New(ctx, b.db); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "credentials: migrated")
	return nil
}

// migrateEventStore applies the PostgreSQL event store's migrations when the events are in
// PostgreSQL (it reports whether they are); EventStoreDB has none.
func migrateEventStore(ctx context.Context, e env) (bool, error) {
	cfg, err := loadConfig(e)
	if err != nil {
		return false, err
	}
	kind, err := storage.Migrate(ctx, storage.Options{ESDBURL: cfg.ESDBURL, DatabaseURL: cfg.DatabaseURL})
	if err != nil {
		return kind == storage.Postgres, databaseError(e, cfg, err)
	}
	return kind == storage.Postgres, nil
}
