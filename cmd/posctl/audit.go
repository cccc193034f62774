package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/odata-pos/pos/eventstore"
	evaudit "github.com/odata-pos/pos/eventstore/audit"
)

// runAudit dispatches "posctl audit <verify|checkpoint|export|compare>".
func runAudit(ctx context.Context, e env) error {
	if len(e.args) == 0 {
		return fmt.Errorf("%w: posctl audit verify|checkpoint|export|compare", errUsage)
	}
	sub := e
	sub.args = e.args[1:]
	switch e.args[0] {
	case "verify":
		return auditVerify(ctx, sub)
	case "checkpoint":
		return auditCheckpoint(ctx, sub)
	case "export":
		return auditExport(ctx, sub)
	case "compare":
		return auditCompare(ctx, sub)
	}
	return fmt.Errorf("%w: unknown audit command %q", errUsage, e.args[0])
}

func auditVerify(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("posctl audit verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	minCP := fs.Uint64("min-checkpoint", 0, "fail unless checkpoints reach at least this `position` (from an earlier report)")
	var expect []evaudit.Checkpoint
	fs.Func("expect", "fail unless the log still extends this `seal` (posseal1:…, from posd's log or pos_audit_seal_info); repeatable", func(v string) error {
		cp, err := evaudit.ParseSeal(v)
		if err != nil {
			return err
		}
		expect = append(expect, cp)
		return nil
	})
	if err := fs.Parse(e.args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	key, err := auditKey(e, b.cfg)
	if err != nil {
		return err
	}
	bar := newProgress(e.stderr, "verifying")
	rep, err := evaudit.Verify(ctx, b.store, b.db, key, evaudit.Options{
		StreamTable: b.pg, MinCheckpoint: eventstore.Position(*minCP), Expect: expect,
		Progress: func(n uint64) { _ = bar.Set64(int64(n)) }, // a progress bar failing to draw is no failure
	})
	_ = bar.Finish()
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if rep.OK {
		fmt.Fprintf(e.stdout, "ok: %d events in %d streams, %d checkpoints (sealed through position %d), head %d; %s (%.0f events/s)\n",
			rep.Events, rep.Streams, rep.Checkpoints, rep.CheckpointedThrough, rep.Head, rep.Took.Round(time.Millisecond), float64(rep.Events)/rep.Took.Seconds())
		for _, cp := range expect {
			fmt.Fprintf(e.stdout, "ok: the log extends the expected seal at position %d (%d events)\n", cp.Position, cp.Count)
		}
	} else {
		br := rep.Broken
		fmt.Fprintf(e.stdout, "BROKEN: %s at stream %q revision %d position %d (after %d good events)\n  %s\n",
			br.Problem, br.Stream, br.Revision, br.Position, rep.Events, br.Detail)
	}
	if !rep.OK {
		return errFound
	}
	return nil
}

func auditCheckpoint(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("posctl audit checkpoint", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	every := fs.Int("every", evaudit.DefaultCheckpointEvery, "most `events` between two checkpoints")
	if err := fs.Parse(e.args); err != nil {
		return err
	}
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	key, err := auditKey(e, b.cfg)
	if err != nil {
		return err
	}
	cp, err := (&evaudit.Checkpointer{Store: b.store, DB: b.db, Key: key, Every: *every, Index: b.pg}).Extend(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "sealed through position %d: %d events, chain %s\nseal: %s\n", cp.Position, cp.Count, cp.Hash, cp.Seal())
	return nil
}
