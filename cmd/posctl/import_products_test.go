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

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/internal/catalogimport"
)

// TestImportProductsThroughTheCLI imports a CSV with --json, then a file with a bad row,
// which exits "found" naming the line and writes nothing.
func TestImportProductsThroughTheCLI(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h := e.API.Commands
	setup := commands.Context{ID: "setup", UserID: "test"}
	if _, err := commands.NewStores(h, time.Now).Create(ctx, setup, store.CreateStore{StoreID: uuid.New(), Code: "B", Name: "B",
		Currency: "EUR", Timezone: "Europe/Amsterdam", Settings: store.DefaultSettings()}); err != nil {
		t.Fatal(err)
	}
	if _, err := commands.NewCatalog(h, time.Now).CreateTaxCode(ctx, setup, taxcode.CreateTaxCode{TaxCodeID: uuid.New(), Code: "STD", Name: "std", RateBP: 2100}); err != nil {
		t.Fatal(err)
	}
	vars := lookup(map[string]string{"POS_DATABASE_URL": e.DB.Config().ConnString(), "POS_JWT_SECRET": "apitest-signing-key-0123456789abcdef",
		"POS_REDIS_URL": "", "POS_DATA_DIR": t.TempDir(), "USER": "ops"})
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.csv"), filepath.Join(dir, "bad.csv")
	for name, body := range map[string]string{good: "SKU,Name,Price,Tax,Qty\nTEA,Tea,3.50,STD,20\n", bad: "SKU,Name,Price,Tax,Qty\nCOFFEE,Coffee,x,STD,1\n"} {
		if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"import", "products", good, "--store", "B", "--json", "-"}, vars, &out, &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	var rep catalogimport.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || !rep.Written || rep.Created != 1 || rep.StockReceived != 1 {
		t.Fatalf("report %+v %v\n%s", rep, err, out.String())
	}
	head, err := e.Store.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"import", "products", "--store", "B", bad}, vars, &out, &out)
	if !errors.Is(err, errFound) || !strings.Contains(out.String(), "line 2 price:") || !strings.Contains(out.String(), "REFUSED") {
		t.Fatalf("a bad file: %v\n%s", err, out.String())
	}
	if now, _ := e.Store.HeadPosition(ctx); now != head {
		t.Fatalf("a bad file wrote events: head %d → %d", head, now)
	}
}
