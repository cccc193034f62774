package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestImportV1ThroughTheCLI generates a dirty v1 file, dry-runs it (nothing written), imports
// it with a JSON report, and refuses a call without --store.
func TestImportV1ThroughTheCLI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	db, url := newPool(t)
	vars := posEnv(t, url)
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, vars, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	file := filepath.Join(t.TempDir(), "v1.sqlite")
	if err := run(ctx, []string{"import", "v1", file, "--generate-sales", "200"}, vars, &out, &out); err != nil {
		t.Fatalf("generate: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"import", "v1", file}, vars, &out, &out); !errors.Is(err, errUsage) {
		t.Fatalf("without --store: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"import", "v1", file, "--store", "MAD1", "--dry-run"}, vars, &out, &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a dry run wrote %d events (%v)", n, err)
	}
	report := filepath.Join(t.TempDir(), "report.json")
	out.Reset()
	if err := run(ctx, []string{"import", "v1", file, "--store", "MAD1", "--json", report}, vars, &out, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "the money reconciles to the cent") {
		t.Fatalf("report:\n%s", out.String())
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Reconciled bool `json:"reconciled"`
		Period     struct {
			V1Sold       int64 `json:"v1_sold"`
			ImportedSold int64 `json:"imported_sold"`
		} `json:"period"`
	}
	if err := json.Unmarshal(b, &r); err != nil || !r.Reconciled || r.Period.V1Sold == 0 || r.Period.ImportedSold != r.Period.V1Sold {
		t.Fatalf("json report: %v %s", err, b)
	}
}
