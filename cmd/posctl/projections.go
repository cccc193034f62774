package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"text/tabwriter"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/pgcheckpoint"
	"github.com/odata-pos/pos/projections"
)

const projectionsUsage = "posctl projections status [--json] | rebuild NAME | skip NAME POSITION | replay-parked NAME"

// runProjections runs posctl projections status|rebuild|skip|replay-parked through a projection runner
// that is never started: like the API's control routes, it works on the checkpoint table,
// and the replica leading each projection acts on it.
func runProjections(ctx context.Context, e env) error {
	if len(e.args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, projectionsUsage)
	}
	sub, args := e.args[0], e.args[1:]
	fs := flag.NewFlagSet("posctl projections "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	var position eventstore.Position
	switch {
	case sub == "status" && len(args) == 0:
	case (sub == "rebuild" || sub == "replay-parked") && len(args) == 1 && !*asJSON:
	case sub == "skip" && len(args) == 2 && !*asJSON:
		n, err := strconv.ParseUint(args[1], 10, 64)
		if err != nil {
			return fmt.Errorf("%w: POSITION must be a $all position: %q", errUsage, args[1])
		}
		position = eventstore.Position(n)
	default:
		return fmt.Errorf("%w: %s", errUsage, projectionsUsage)
	}
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	who := operator(e)
	log := slog.New(slog.NewTextHandler(e.stderr, nil)).With("operator", who, "via", "posctl")
	r, err := projections.New(projections.Config{Pool: b.db, Store: b.store, Projections: allProjections(), Logger: log, ID: "posctl"})
	if err != nil {
		return err
	}
	switch sub {
	case "rebuild":
		if err := r.Rebuild(ctx, args[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "rebuild of %s requested by %s; follow it with posctl projections status\n", args[0], who)
		return nil
	case "replay-parked":
		res, err := r.ReplayParked(ctx, args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: %d parked events replayed, %d still parked (by %s)\n", args[0], res.Replayed, res.Parked, who)
		return nil
	case "skip":
		if err := r.Skip(ctx, args[0], position); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s skips the event at position %d (by %s)\n", args[0], position, who)
		return nil
	}
	st, err := r.Status(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tLIVE\tSTATUS\tCHECKPOINT\tHEAD\tLAG EVENTS\tLAG\tPARKED\tERROR")
	for _, s := range st {
		errText := s.LastError
		if s.ErrorPosition != nil {
			errText = fmt.Sprintf("at %d: %s", *s.ErrorPosition, s.LastError)
		}
		if len(s.Parked) > 0 && errText == "" {
			p := s.Parked[0]
			errText = fmt.Sprintf("parked at %d (%s, event %s): %s", p.Position, p.Stream, p.EventID, p.Error)
		}
		fmt.Fprintf(tw, "%s\t%d\t%t\t%s\t%d\t%d\t%d\t%.1fs\t%d\t%s\n", s.Name, s.Version, s.Live, s.Status,
			s.Position, s.HeadPosition, s.LagEvents, s.LagSeconds, s.ParkedCount, errText)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return policiesStatus(ctx, e, b)
}

// policiesStatus prints the write side's policies after the projections: their lag is how
// stale the stock levels are.
func policiesStatus(ctx context.Context, e env, b *backend) error {
	cps, err := pgcheckpoint.New(ctx, b.db)
	if err != nil {
		return err
	}
	h := commands.NewHandler(b.store, commands.NewCodec(), commands.Options{})
	st, err := policies.Statuses(ctx, b.store, cps, policies.Default(h))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nPOLICY\tCHECKPOINT\tHEAD\tLAG EVENTS\tLAG")
	for _, s := range st {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1fs\n", s.Name, s.Position, s.HeadPosition, s.LagEvents, s.LagSeconds)
	}
	return tw.Flush()
}
