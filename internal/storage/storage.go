// Package storage opens the configured event store: EventStoreDB when an address is given,
// else the PostgreSQL event store in the read models' database. posd, posctl and the API
// tests choose the backend here and nowhere else, and pass the Kind on to whatever must know
// where the events live (the audit's SQL reader, index and stream-table check).
package storage

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/esdb"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// Kind names an event store backend, as logs and /readyz show it.
type Kind string

// The backends.
const (
	Postgres     Kind = "postgres"
	EventStoreDB Kind = "eventstoredb"
)

// Events is an opened event store and the backend it runs on.
type Events struct {
	Store eventstore.Store
	Kind  Kind
}

// InDatabase reports whether the events live in the read models' PostgreSQL database (the
// PostgreSQL backend), where SQL can read them beside the read models.
func (e Events) InDatabase() bool { return e.Kind == Postgres }

// Options say which backend to open and how.
type Options struct {
	// ESDBURL selects EventStoreDB when set (POS_ESDB_URL).
	ESDBURL string
	// DatabaseURL is the PostgreSQL database of the events when ESDBURL is empty
	// (POS_DATABASE_URL).
	DatabaseURL string
	// Logger receives the store's warnings; nil discards them.
	Logger *slog.Logger
	// SkipMigrations leaves the PostgreSQL event store's schema alone (tools that must not
	// change it; posd migrates at start).
	SkipMigrations bool
}

// Open opens EventStoreDB when o.ESDBURL is set, else the PostgreSQL event store at
// o.DatabaseURL (which applies its migrations unless o.SkipMigrations).
func Open(ctx context.Context, o Options) (Events, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.ESDBURL != "" {
		s, err := esdb.Open(ctx, o.ESDBURL, esdb.Options{Logger: log.With(slog.String("component", "esdb"))})
		if err != nil {
			return Events{Kind: EventStoreDB}, fmt.Errorf("open eventstoredb event store: %w", err)
		}
		return Events{Store: s, Kind: EventStoreDB}, nil
	}
	s, err := pgstore.Open(ctx, o.DatabaseURL, pgstore.Options{Logger: log, SkipMigrations: o.SkipMigrations})
	if err != nil {
		return Events{Kind: Postgres}, fmt.Errorf("open postgresql event store: %w", err)
	}
	return Events{Store: s, Kind: Postgres}, nil
}

// Migrate applies the event store's schema migrations: the PostgreSQL event store's, none for
// EventStoreDB (which has no schema). It returns the backend o selects.
func Migrate(ctx context.Context, o Options) (Kind, error) {
	if o.ESDBURL != "" {
		return EventStoreDB, nil
	}
	if err := pgstore.Migrate(ctx, o.DatabaseURL); err != nil {
		return Postgres, err
	}
	return Postgres, nil
}
