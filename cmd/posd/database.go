package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/internal/pguuid"
)

// SQLSTATE codes handled at start.
const (
	invalidCatalogName = "3D000" // database does not exist
	duplicateDatabase  = "42P04"
)

// maintenanceDatabase is the database connected to for creating the configured one.
const maintenanceDatabase = "postgres"

// ensureDatabase connects to databaseURL and, if its database does not exist, creates it
// through the maintenance database of the same server (with the same credentials), so that
// posd starts on a fresh server.
func ensureDatabase(ctx context.Context, databaseURL string, log *slog.Logger) error {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("parse database url: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return conn.Close(ctx)
	}
	if pgCode(err) != invalidCatalogName {
		return fmt.Errorf("connect to postgresql %s:%d: %w", cfg.Host, cfg.Port, err)
	}

	admin := cfg.Copy()
	admin.Database = maintenanceDatabase
	aconn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("database %q does not exist; connect to %q to create it: %w", cfg.Database, maintenanceDatabase, err)
	}
	defer aconn.Close(ctx)
	_, err = aconn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{cfg.Database}.Sanitize())
	switch {
	case err == nil:
		log.Info("created database", slog.String("database", cfg.Database), slog.String("host", cfg.Host))
	case pgCode(err) == duplicateDatabase:
		// Another process created it meanwhile.
	default:
		return fmt.Errorf("create database %q: %w", cfg.Database, err)
	}
	return nil
}

// openPool opens the connection pool for the read models.
func openPool(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "posd"
	}
	pguuid.Configure(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgresql pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping postgresql: %w", err)
	}
	return pool, nil
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
