package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/eventstore/audit"
	"github.com/odata-pos/pos/eventstore/fanout"
	"github.com/odata-pos/pos/internal/pgcheckpoint"
	"github.com/odata-pos/pos/internal/pgsnapshot"
	"github.com/odata-pos/pos/internal/services"
	"github.com/odata-pos/pos/internal/storage"
	"github.com/odata-pos/pos/monitoring"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/stock"
	"github.com/odata-pos/pos/publish"
)

// worker is a long-running part of posd (a projection runner, a policy) that runs until its
// context ends.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// sharedWindow is how many of the newest events the shared $all reader keeps (fanout.Options):
// twice the package's default, so that the audit checkpointer, which runs when a quarter of it
// lies past its seal (fanout.Store.Slipping), seals about every 4,000 events and reads them
// from memory rather than from PostgreSQL; about 16 MB of events.
const sharedWindow = 16384

// projectors returns the workers of the projector role: the shared $all reader that feeds the
// projections and policies, the projection runner (every read model and the analysts' report
// tables; each projection runs in exactly one replica at a time), the policies that turn
// completed sales and returns into stock movements, and the audit checkpointer that seals the
// log with keyed checkpoints. All resume from their checkpoints in PostgreSQL.
func projectors(ctx context.Context, d *deps) ([]worker, error) {
	host, _ := os.Hostname()
	codec := commands.NewCodec()
	// Every projection and policy follows $all through one shared reader, which reads and
	// decodes each event once for all of them.
	shared := fanout.New(d.store, fanout.Options{Window: sharedWindow, Logger: d.log})
	runner, err := projections.New(projections.Config{
		Pool:        d.db,
		Store:       shared,
		Projections: services.All(codec),
		Registerer:  d.registry,
		Logger:      d.log, // the runner names itself (component=projections)
		ID:          fmt.Sprintf("%s/%d", host, os.Getpid()),
	})
	if err != nil {
		return nil, fmt.Errorf("projection runner: %w", err)
	}
	if err := runner.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("projection runner migrations: %w", err)
	}
	if err := d.registry.Register(stock.NewNegativeLevels(d.db)); err != nil {
		return nil, fmt.Errorf("stock metrics: %w", err)
	}
	checkpoints, err := pgcheckpoint.New(ctx, d.db)
	if err != nil {
		return nil, fmt.Errorf("policy checkpoints: %w", err)
	}
	snapshots, err := pgsnapshot.New(ctx, d.db)
	if err != nil {
		return nil, fmt.Errorf("aggregate snapshots: %w", err)
	}
	policyRunner, err := policies.New(policies.Config{
		Handler:     commands.NewHandler(shared, codec, commands.Options{Snapshots: snapshots}),
		Checkpoints: checkpoints,
		Logger:      d.log.With(slog.String("component", "policies")),
	})
	if err != nil {
		return nil, fmt.Errorf("policy runner: %w", err)
	}
	if err := monitoring.RegisterPolicyMetrics(d.registry, policySamples(policyRunner)); err != nil {
		return nil, fmt.Errorf("policy metrics: %w", err)
	}
	// The audit checkpointer seals $all with keyed checkpoints (and fills the audit filter index
	// when the events live in PostgreSQL). It logs every seal at info level and exports the
	// newest one, so that seals live outside the database too, and counts its refusals.
	sealMetrics := monitoring.NewAuditMetrics(d.registry, audit.SealMissing, audit.SealDiverges, audit.SealForged)
	// It reads $all up to its end every few seconds: through shared.Recent, the part the shared
	// reader still holds comes from memory rather than a second read of the log.
	checkpointer := &audit.Checkpointer{Store: shared.Recent(), DB: d.db, Key: d.auditKey,
		Index: d.backend == storage.Postgres, Log: d.log.With(slog.String("component", "audit")),
		OnSeal:    func(cp audit.Checkpoint) { sealMetrics.Sealed(uint64(cp.Position), cp.Seal()) },
		OnProblem: sealMetrics.Problem, Due: shared.Slipping}
	return []worker{
		{name: "shared-reader", run: func(ctx context.Context) error { <-ctx.Done(); return shared.Close() }},
		{name: "projections", run: runner.Run},
		{name: "policies", run: policyRunner.Run},
		{name: "audit-checkpoints", run: checkpointer.Run},
	}, nil
}

// policySamples reads the policies' progress for their metrics.
func policySamples(r *policies.Runner) func() []monitoring.PolicySample {
	return func() []monitoring.PolicySample {
		ps := r.Progress()
		out := make([]monitoring.PolicySample, len(ps))
		for i, p := range ps {
			out[i] = monitoring.PolicySample{Name: p.Policy, Position: uint64(p.Position), LagPositions: p.LagPositions,
				LagSeconds: p.LagSeconds, Handled: p.Handled, Failures: p.Failures}
		}
		return out
	}
}

// publishers returns the worker of the publisher role: it publishes the integration events to
// the brokers of POS_PUBLISH_URL, one replica per target at a time, each resuming from its
// checkpoint in PostgreSQL.
func publishers(ctx context.Context, d *deps) ([]worker, error) {
	targets, err := d.cfg.Publish.Targets()
	if err != nil {
		return nil, err // Validate already refused this configuration
	}
	w, err := publish.New(publish.Config{Pool: d.db, Store: d.store, Targets: targets,
		Registerer: d.registry, Logger: d.log})
	if err != nil {
		return nil, fmt.Errorf("publisher: %w", err)
	}
	if err := publish.Migrate(ctx, d.db); err != nil {
		return nil, fmt.Errorf("publisher migrations: %w", err)
	}
	return []worker{{name: "publisher", run: w.Run}}, nil
}
