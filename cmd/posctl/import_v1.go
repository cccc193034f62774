package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/odata-pos/pos/internal/v1import"
	"github.com/odata-pos/pos/internal/v1import/v1gen"
)

const importV1Usage = "posctl import v1 FILE.sqlite --store CODE [--dry-run] [--json FILE] [--workers N] [--batch N] [--as NAME]"

// runImportV1 runs posctl import v1: the history of an O'Data POS v1 SQLite file into a
// store (see docs/import-v1.md). It exits 0 only when every row was imported or explained
// and the money reconciles to the cent; 1 (errFound) when the report shows otherwise.
func runImportV1(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("posctl import v1", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	storeCode := fs.String("store", "", "`code` of the store the history belongs to (created from the v1 settings when missing)")
	dryRun := fs.Bool("dry-run", false, "do every check and decision, write nothing")
	jsonFile := fs.String("json", "", "also write the report as JSON to `file`")
	workers := fs.Int("workers", 4, "`n` batches of sales decided and appended at once")
	batch := fs.Int("batch", 250, "`n` sales appended together (one statement on PostgreSQL)")
	generate := fs.Int("generate-sales", 0, "write a generated dirty v1 file of `n` sales at FILE (for tests and benchmarks) and stop")
	as := fs.String("as", "", "`name` of the operator the import is attributed to (default $USER, else uid@host)")
	var file string
	args := e.args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s", errUsage, importV1Usage)
	}
	if file != "" && *generate > 0 {
		sum, err := v1gen.Generate(ctx, file, v1gen.Options{Sales: *generate, Days: 400, Seed: 1})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s: %d sales (%d cancelled, %d refunded), sold %d, refunded %d (minor units)\n",
			file, sum.Sales, sum.Cancelled, sum.Refunded, sum.SoldCents, sum.RefundedCents)
		return nil
	}
	if file == "" || *storeCode == "" {
		return fmt.Errorf("%w: %s", errUsage, importV1Usage)
	}
	src, err := v1import.Read(ctx, file)
	if err != nil {
		return err
	}
	cs, closeAll, err := openCommands(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	by := *as
	if by == "" {
		by = operator(e)
	}
	progress := importProgress(e.stderr, len(src.Sales))
	rep, err := v1import.Import(ctx, v1import.Deps{Handler: cs.handler, Credentials: cs.creds},
		src, v1import.Options{File: file, StoreCode: *storeCode, DryRun: *dryRun, Operator: "posctl:" + by, Workers: *workers, Batch: *batch, Progress: progress})
	if err != nil {
		return fmt.Errorf("import stopped (run it again to complete it): %w", err)
	}
	rep.WriteText(e.stdout)
	if *jsonFile != "" {
		if err := rep.WriteJSON(*jsonFile); err != nil {
			return err
		}
	}
	if !rep.OK() {
		return errFound
	}
	return nil
}

// importProgress reports imported sales: a bar on a terminal, else a plain line every 10 %.
func importProgress(w io.Writer, total int) func(done, total int) {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			bar := newProgress(w, "v1 sales")
			return func(done, _ int) { _ = bar.Set64(int64(done)) }
		}
	}
	step := max(1, total/10)
	next := step
	start := time.Now()
	return func(done, total int) { // sales are done a batch at a time: print on crossing a step
		if done >= next || done == total {
			fmt.Fprintf(w, "v1 sales: %d/%d (%.0f s)\n", done, total, time.Since(start).Seconds())
			next = (done/step + 1) * step
		}
	}
}
