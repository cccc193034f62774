package pgstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// MigrationsTable is the table in which the event store records its applied schema versions.
// It is separate from the tables of other migration sets in the same database.
const MigrationsTable = "pos_eventstore_migrations"

// migrationLockID is the session advisory lock that serialises concurrent migrators of the
// event store schema (two processes starting at once). It is not goose's default lock ID, so
// that other migration sets in the same database do not wait for ours.
const migrationLockID int64 = 0x706f735f65767331 // "pos_evs1"

// Migrate applies the event store's schema migrations to the database at databaseURL. It is
// idempotent and safe to run from several processes at once: they take turns under a
// PostgreSQL advisory lock.
func Migrate(ctx context.Context, databaseURL string) error {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("migrate event store: parse database url: %w", err)
	}
	return migrate(ctx, cfg, nil)
}

func migrate(ctx context.Context, cfg *pgx.ConnConfig, logger *slog.Logger) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("migrate event store: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migrate event store: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	opts := []goose.ProviderOption{
		goose.WithTableName(MigrationsTable),
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrate event store: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate event store: %w", unavailable(err))
	}
	for _, r := range results {
		if logger != nil && r.Error == nil {
			logger.InfoContext(ctx, "event store migration applied",
				slog.Int64("version", r.Source.Version), slog.Duration("took", r.Duration))
		}
	}
	return nil
}
