package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/publish"
)

const publishUsage = "posctl publish replay --from POSITION [--target NAME]"

// runPublish runs posctl publish replay: it publishes the history of $all from a position
// again to the brokers of POS_PUBLISH_URL (all targets, or the one named), for a consumer that
// joins late. The publisher's live checkpoints are left alone.
func runPublish(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] != "replay" {
		return fmt.Errorf("%w: %s", errUsage, publishUsage)
	}
	fs := flag.NewFlagSet("posctl publish replay", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	from := fs.Uint64("from", 0, "first $all `position` to publish again (0: from the start)")
	only := fs.String("target", "", "publish to this target `name` only (default: every target of POS_PUBLISH_URL)")
	if err := fs.Parse(e.args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s", errUsage, publishUsage)
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	targets, err := cfg.Publish.Targets()
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	var chosen []publish.Target
	for _, t := range targets {
		if *only == "" || t.Name == *only {
			chosen = append(chosen, t)
		}
	}
	if len(chosen) == 0 {
		return fmt.Errorf("%w: no target to publish to (POS_PUBLISH_URL=%d targets, --target %q)", errUsage, len(targets), *only)
	}
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	for _, t := range chosen {
		start := time.Now()
		n, last, err := publish.Replay(ctx, b.store, t, eventstore.Position(*from), log)
		if err != nil {
			return fmt.Errorf("replay to %s after %d messages: %w", t.Name, n, err)
		}
		fmt.Fprintf(e.stdout, "%s: published %d messages from position %d through %d in %s\n",
			t.Name, n, *from, last, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
