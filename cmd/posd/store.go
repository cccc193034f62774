package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/esdb"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/config"
)

// Event store backends, as named in logs and in /readyz.
const (
	backendPostgres = "postgres"
	backendESDB     = "eventstoredb"
)

// openEventStore opens EventStoreDB when POS_ESDB_URL is set, else the PostgreSQL event store
// (which applies its migrations at open).
func openEventStore(ctx context.Context, cfg config.Config, log *slog.Logger) (eventstore.Store, string, error) {
	if cfg.ESDBURL != "" {
		s, err := esdb.Open(ctx, cfg.ESDBURL, esdb.Options{Logger: log.With(slog.String("component", "esdb"))})
		if err != nil {
			return nil, backendESDB, fmt.Errorf("open eventstoredb event store: %w", err)
		}
		return s, backendESDB, nil
	}
	s, err := pgstore.Open(ctx, cfg.DatabaseURL, pgstore.Options{Logger: log})
	if err != nil {
		return nil, backendPostgres, fmt.Errorf("open postgresql event store: %w", err)
	}
	return s, backendPostgres, nil
}
