// Package services is the composition root of the application services, shared by posd and
// the API tests (api/apitest) so that both run the same wiring: from the opened event store
// and the PostgreSQL pool it builds, once, the codec, the command handler with its snapshot
// tiers, the credential store and the user commands, the projections control runner (after
// migrating the read models' tables), the policies' status and the Redis key prefix. It is
// wiring only: no rule and no route lives here.
package services

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/api"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/users"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/credentials"
	"github.com/odata-pos/pos/internal/deployment"
	"github.com/odata-pos/pos/internal/pgcheckpoint"
	"github.com/odata-pos/pos/internal/pgsnapshot"
	"github.com/odata-pos/pos/monitoring"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readmodels"
	"github.com/odata-pos/pos/projections/reports"
)

// The in-memory snapshot tier of the command side: the streams it holds, and how many events
// of a stream pass between two snapshots stored in PostgreSQL.
const (
	snapshotCacheStreams = 50_000
	snapshotDurableEvery = 100
)

// Deps are the opened stores the services are built from. Store and DB are required.
type Deps struct {
	Store eventstore.Store
	DB    *pgxpool.Pool
	// Now is the clock of the commands; nil means time.Now.
	Now func() time.Time
	// Registry, when set, receives the business metrics the command side feeds (sales, voids,
	// returns and shift closes per store; see businessObserver).
	Registry prometheus.Registerer
}

// Build builds the API's services over d: it creates the credential, snapshot and checkpoint
// tables when missing, copies every user's access to the credential store, and migrates the
// projections' tables.
func Build(ctx context.Context, d Deps) (api.Services, error) {
	if d.Store == nil || d.DB == nil {
		return api.Services{}, errors.New("services: Store and DB are required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	codec := commands.NewCodec()
	snapshots, err := pgsnapshot.New(ctx, d.DB)
	if err != nil {
		return api.Services{}, fmt.Errorf("aggregate snapshots: %w", err)
	}
	// The command side keeps the latest snapshot of each register, shift and stock stream in
	// memory too (see commands.CachedSnapshots): a sale loads them without decoding up to
	// 100 events each.
	var observe commands.Observer
	if d.Registry != nil {
		observe = businessObserver(monitoring.NewBusinessMetrics(d.Registry))
	}
	handler := commands.NewHandler(d.Store, codec, commands.Options{
		Snapshots: commands.NewCachedSnapshots(snapshots, snapshotDurableEvery, snapshotCacheStreams),
		Observe:   observe})
	if d.Registry != nil {
		if err := monitoring.RegisterSalesFromMemory(d.Registry, handler.TrustedSales, handler.RefusedTrustedSales); err != nil {
			return api.Services{}, fmt.Errorf("metrics: %w", err)
		}
	}
	creds, err := credentials.New(ctx, d.DB)
	if err != nil {
		return api.Services{}, err
	}
	userCmds := commands.NewUsers(handler, creds, d.Now)
	if err := userCmds.SyncAccess(ctx); err != nil {
		return api.Services{}, fmt.Errorf("sync user access: %w", err)
	}
	passwords, err := auth.NewPasswords(auth.DefaultPasswordParams(), 0)
	if err != nil {
		return api.Services{}, err
	}
	control, err := projections.New(projections.Config{Pool: d.DB, Store: d.Store, Projections: All(codec)})
	if err != nil {
		return api.Services{}, err
	}
	if err := control.Migrate(ctx); err != nil {
		return api.Services{}, fmt.Errorf("projection tables: %w", err)
	}
	policyCheckpoints, err := pgcheckpoint.New(ctx, d.DB)
	if err != nil {
		return api.Services{}, fmt.Errorf("policy checkpoints: %w", err)
	}
	policyList := policies.Default(handler)
	return api.Services{
		Codec:       codec,
		Commands:    handler,
		Users:       userCmds,
		Access:      creds,
		Sales:       commands.NewSales(handler, d.Now),
		Shifts:      commands.NewShifts(handler, d.Now),
		Stores:      commands.NewStores(handler, d.Now),
		Catalog:     commands.NewCatalog(handler, d.Now),
		Inventory:   commands.NewInventory(handler, d.Now),
		Returns:     commands.NewReturns(handler, d.Now, nil),
		Passwords:   passwords,
		Projections: control,
		Queries:     readmodels.NewQueries(d.DB),
		Policies: func(ctx context.Context) ([]policies.Status, error) {
			return policies.Statuses(ctx, d.Store, policyCheckpoints, policyList)
		},
	}, nil
}

// All returns every projection: the operational read models and the analysts' report tables.
func All(codec *eventstore.Codec) []projections.Projection {
	return append(readmodels.All(codec), reports.All()...)
}

// RedisPrefix returns configured, or when empty the prefix derived from the deployment's
// identity in db (internal/deployment), so deployments sharing a Redis never meet.
func RedisPrefix(ctx context.Context, db *pgxpool.Pool, configured string) (string, error) {
	return deployment.RedisPrefix(ctx, db, configured)
}

// BootstrapAdmin registers username as the first admin when no user exists yet; with users
// present it does nothing.
func BootstrapAdmin(ctx context.Context, s api.Services, username, password string, now time.Time) error {
	n, err := s.Users.Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	if _, err := users.RegisterAdmin(ctx, s.Users, s.Passwords, now, "system", username, password); err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	return nil
}
