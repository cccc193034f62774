package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/pguuid"
	"github.com/odata-pos/pos/internal/services"
	"github.com/odata-pos/pos/projections"
)

// allProjections are the read models posd runs: the operational ones and the reports.
func allProjections() []projections.Projection {
	return services.All(commands.NewCodec())
}

func runReplay(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("posctl replay", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	into := fs.String("into", "", "`database URL` of an empty database to rebuild every read model into")
	if err := fs.Parse(e.args); err != nil {
		return err
	}
	if *into == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: posctl replay --into <database URL>", errUsage)
	}
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	target, err := pguuid.NewPool(ctx, *into)
	if err != nil {
		return fmt.Errorf("--into: %w", err)
	}
	defer target.Close()
	start := time.Now()
	head, err := replay(ctx, b.store, target, allProjections())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "replayed $all through position %d into %d read models in %s\n", head, len(allProjections()), time.Since(start).Round(time.Millisecond))
	return nil
}

// errNotEmpty is returned by replay for a target database that already holds tables.
var errNotEmpty = errors.New("target database is not empty")

// replay folds $all, up to its head when called, into every projection of list in the empty
// database db, by running the projection runner once and stopping it when every projection has
// applied the head.
func replay(ctx context.Context, store eventstore.Store, db *pgxpool.Pool, list []projections.Projection) (eventstore.Position, error) {
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'v', 'm', 'p') AND s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg\_%'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("replay: %w", err)
	}
	if n > 0 {
		return 0, fmt.Errorf("replay: %w (%d tables and views)", errNotEmpty, n)
	}
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return 0, fmt.Errorf("replay: %w", err)
	}
	r, err := projections.New(projections.Config{Pool: db, Store: store, Projections: list, ID: "posctl-replay"})
	if err != nil {
		return 0, fmt.Errorf("replay: %w", err)
	}
	rctx, stop := context.WithCancel(ctx)
	wctx, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	done := make(chan error, 1)
	go func() {
		err := r.Run(rctx)
		stopWaiting() // a runner that stops early must not leave the waits below hanging
		done <- err
	}()
	var waitErr error
	for _, p := range list {
		if waitErr = r.WaitFor(wctx, p.Name(), head); waitErr != nil {
			break
		}
	}
	stop()
	runErr := <-done
	switch {
	case waitErr != nil && runErr != nil && !errors.Is(runErr, context.Canceled):
		return 0, fmt.Errorf("replay: %w", runErr)
	case waitErr != nil:
		return 0, fmt.Errorf("replay: %w", waitErr)
	}
	return head, nil
}
