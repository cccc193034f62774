package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/internal/catalogimport"
	"github.com/odata-pos/pos/projections/catalog"
	"github.com/odata-pos/pos/projections/readkit"
)

// runImportProducts is "posctl import products FILE.csv --store CODE": a catalog with its
// opening stock from a CSV file (internal/catalogimport).
func runImportProducts(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("posctl import products", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	storeCode := fs.String("store", "", "`code` of the store whose currency the prices are in and whose stock the file sets (required)")
	dryRun := fs.Bool("dry-run", false, "check and plan everything, write nothing")
	jsonOut := fs.String("json", "", "also write the report as JSON to this `file` (- for stdout)")
	file, args := splitFile(e.args)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		file = ""
	}
	if file == "" || *storeCode == "" {
		return fmt.Errorf("%w: posctl import products FILE.csv --store CODE [--dry-run] [--json FILE]", errUsage)
	}
	in, err := openInput(e, file)
	if err != nil {
		return err
	}
	defer in.Close()
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	h := commands.NewHandler(b.store, commands.NewCodec(), commands.Options{})
	deps := catalogimport.Deps{
		Handler: h, Catalog: commands.NewCatalog(h, time.Now), Inventory: commands.NewInventory(h, time.Now),
		Stores: commands.NewStores(h, time.Now), TaxCodes: readTaxCodes(catalog.NewQueries(b.db)), Now: time.Now, UserID: operator(e),
	}
	rep, err := catalogimport.Import(ctx, deps, in, catalogimport.Options{StoreCode: *storeCode, Name: file, DryRun: *dryRun})
	if err != nil {
		return err
	}
	if *jsonOut != "" {
		if err := writeJSON(e, *jsonOut, rep); err != nil {
			return err
		}
	}
	if *jsonOut != "-" {
		printImportReport(e.stdout, rep)
	}
	if len(rep.Problems) > 0 {
		return errFound
	}
	return nil
}

// splitFile takes the first argument that is not a flag as the file, so that the file may
// come before the flags (posctl import products FILE --store CODE).
func splitFile(args []string) (string, []string) {
	if len(args) > 0 && len(args[0]) > 0 && (args[0][0] != '-' || args[0] == "-") {
		return args[0], args[1:]
	}
	return "", args
}

// readTaxCodes lists the tax codes of the catalog read model.
func readTaxCodes(q *catalog.Queries) func(ctx context.Context) ([]catalogimport.TaxCode, error) {
	return func(ctx context.Context) ([]catalogimport.TaxCode, error) {
		var out []catalogimport.TaxCode
		req := readkit.Request{Limit: readkit.MaxLimit}
		for {
			page, err := q.TaxCodes(ctx, req)
			if err != nil {
				return nil, err
			}
			for _, tc := range page.Items {
				out = append(out, catalogimport.TaxCode{Code: tc.Code, RateBP: tc.RateBP})
			}
			if page.NextCursor == "" {
				return out, nil
			}
			req.Cursor = page.NextCursor
		}
	}
}

func writeJSON(e env, name string, v any) error {
	w := e.stdout
	if name != "-" {
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printImportReport(w io.Writer, rep catalogimport.Report) {
	for _, p := range rep.Problems {
		col := ""
		if p.Column != "" {
			col = " " + p.Column
		}
		fmt.Fprintf(w, "line %d%s: %s\n", p.Line, col, p.Reason)
	}
	verb := "wrote"
	switch {
	case len(rep.Problems) > 0:
		verb = fmt.Sprintf("REFUSED (%d problems, nothing written):", len(rep.Problems))
	case rep.DryRun:
		verb = "dry run, would write:"
	}
	fmt.Fprintf(w, "%s %d rows read; products: %d created, %d price changes, %d unchanged; stock: %d received, %d adjusted\n",
		verb, rep.Rows, rep.Created, rep.PriceChanged, rep.Unchanged, rep.StockReceived, rep.StockAdjusted)
	if len(rep.Ignored) > 0 {
		fmt.Fprintf(w, "ignored columns: %q\n", rep.Ignored)
	}
}
