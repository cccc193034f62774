package catalogimport_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/catalogimport"
	"github.com/odata-pos/pos/internal/pgtest"
)

// shop is an event store with store A (EUR), tax codes STD (21 %) and LOW (9 %), and the
// import's dependencies on it.
type shop struct {
	store   eventstore.Store
	deps    catalogimport.Deps
	storeID uuid.UUID
}

func newShop(t *testing.T) *shop {
	t.Helper()
	ctx := context.Background()
	s, err := pgstore.Open(ctx, pgtest.NewDatabase(t), pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	h := commands.NewHandler(s, commands.NewCodec(), commands.Options{})
	sh := &shop{store: s, storeID: uuid.New()}
	sh.deps = catalogimport.Deps{Handler: h, Catalog: commands.NewCatalog(h, time.Now), Inventory: commands.NewInventory(h, time.Now),
		Stores: commands.NewStores(h, time.Now), Now: time.Now, UserID: "operator",
		TaxCodes: func(context.Context) ([]catalogimport.TaxCode, error) {
			return []catalogimport.TaxCode{{Code: "STD", RateBP: 2100}, {Code: "LOW", RateBP: 900}}, nil
		}}
	settings := store.DefaultSettings()
	settings.AllowNegativeStock = false
	cmd := commands.Context{ID: "setup-store", UserID: "test"}
	if _, err := sh.deps.Stores.Create(ctx, cmd, store.CreateStore{StoreID: sh.storeID, Code: "A", Name: "Store A", Currency: "EUR",
		Timezone: "Europe/Amsterdam", Settings: settings}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []taxcode.CreateTaxCode{{Code: "STD", Name: "standard", RateBP: 2100}, {Code: "LOW", Name: "reduced", RateBP: 900}} {
		tc.TaxCodeID = uuid.New()
		if _, err := sh.deps.Catalog.CreateTaxCode(ctx, commands.Context{ID: "setup-" + tc.Code, UserID: "test"}, tc); err != nil {
			t.Fatal(err)
		}
	}
	return sh
}

func (sh *shop) run(t *testing.T, csv string, dryRun bool) catalogimport.Report {
	t.Helper()
	rep, err := catalogimport.Import(context.Background(), sh.deps, strings.NewReader(csv), catalogimport.Options{StoreCode: "a", Name: "test.csv", DryRun: dryRun})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

func (sh *shop) head(t *testing.T) eventstore.Position {
	t.Helper()
	p, err := sh.store.HeadPosition(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (sh *shop) onHand(t *testing.T, sku string) quantity.Quantity {
	t.Helper()
	l, err := commands.Load(context.Background(), sh.deps.Handler, commands.StockStream(sh.storeID, catalogimport.ProductID(sku)), commands.StockAggregate)
	if err != nil {
		t.Fatal(err)
	}
	return l.State.OnHand()
}

// A Shopify-like export: BOM, semicolons, aliases, a bracketed currency, an unknown column.
const good = "\ufeffHandle;Variant SKU;Title;Variant Barcode;Product Type;Variant Price (EUR);Cost per item;VAT;UoM;Variant Inventory Qty\n" +
	"bread;BREAD;Bread;8710000000017;Bakery;2,99;1,20;21%;each;50\n" +
	"cheese;CHEESE;Cheese;8710000000024|8710000000031;Dairy;12.50;7;LOW;kg;3.250\n" +
	"wine;WINE;Red wine;;Drinks;€ 9.99;;STD;pcs;12\n" +
	"\n" +
	"bag;BAG;Carrier bag;;;0.10;;21;;\n"

// TestImportBadRowsWriteNothing: every bad row is reported with its line and reason, and a
// file with one writes nothing, even its good rows.
func TestImportBadRowsWriteNothing(t *testing.T) {
	sh := newShop(t)
	before := sh.head(t)
	file := "sku,name,price,tax,stock,unit,barcode\n" +
		"OK1,Good one,1.00,STD,5,each,111\n" + // line 2: good
		"BAD1,,1.00,STD,,,\n" + // 3: no name
		"BAD2,Price,abc,STD,,,\n" + // 4: price not a number
		"BAD3,Comma,\"1,299\",STD,,,\n" + // 5: ambiguous
		"OK1,Twice,1.00,STD,,,\n" + // 6: SKU twice
		"BAD5,Tax,1.00,NOPE,,,\n" + // 7: unknown tax code
		"BAD6,Half,1.00,STD,1.5,each,\n" + // 8: fractional stock of a piece good
		"BAD7,Rate,1.00,7%,,,\n" + // 9: no tax code with 7 %
		"BAD8,Cents,1.001,STD,,,\n" + // 10: three decimals in EUR
		"BAD9,Neg,1.00,STD,-2,,\n" + // 11: negative stock, store forbids it
		"BAD10,Barcode,1.00,STD,,,111\n" + // 12: barcode also on line 2
		"BAD11,Unit,1.00,STD,,box,\n" // 13: unknown unit
	rep := sh.run(t, file, false)
	if rep.Written || sh.head(t) != before {
		t.Fatalf("a file with bad rows wrote something: written %v, head %d → %d", rep.Written, before, sh.head(t))
	}
	lines := map[int]string{}
	for _, p := range rep.Problems {
		lines[p.Line] += p.Column + ": " + p.Reason + "; "
	}
	for line := 3; line <= 13; line++ {
		if lines[line] == "" {
			t.Errorf("line %d is not reported; problems: %+v", line, rep.Problems)
		}
	}
	if lines[2] != "" {
		t.Errorf("the good line 2 is reported: %s", lines[2])
	}
	for line, want := range map[int]string{3: "name: is empty", 5: "ambiguous", 6: "also on line 2", 7: "NOPE is not a tax code",
		9: "no tax code has the rate 7.00", 10: "3 decimals", 11: "does not allow negative stock", 12: "barcode 111 is also on line 2", 13: "not a unit"} {
		if !strings.Contains(lines[line], want) {
			t.Errorf("line %d: %q does not say %q", line, lines[line], want)
		}
	}
	if rep.Rows != 12 {
		t.Errorf("rows read %d, want 12", rep.Rows)
	}
}

// TestImportRerunChangesOnlyWhatChanged imports a catalog, imports it again (nothing is
// written), then a corrected file: a changed price is a price change of the same product, a
// changed stock an adjustment, and nothing else is written.
func TestImportRerunChangesOnlyWhatChanged(t *testing.T) {
	sh := newShop(t)
	ctx := context.Background()
	dry := sh.run(t, good, true)
	if len(dry.Problems) > 0 || dry.Written || dry.Created != 4 || dry.StockReceived != 3 {
		t.Fatalf("dry run: %+v", dry)
	}
	before := sh.head(t)
	if sh.head(t) != before {
		t.Fatal("a dry run wrote events")
	}
	rep := sh.run(t, good, false)
	if len(rep.Problems) > 0 || !rep.Written || rep.Created != 4 || rep.StockReceived != 3 || rep.StockAdjusted != 0 {
		t.Fatalf("first import: %+v", rep)
	}
	if got := sh.onHand(t, "cheese"); got != quantity.MustParse("3.25") {
		t.Fatalf("cheese on hand %s", got)
	}
	p, err := sh.deps.Catalog.ProductBySKU(ctx, "CHEESE")
	if err != nil || !p.State.Created.SoldByWeight || p.State.Created.TaxCode != "LOW" || len(p.State.Created.Barcodes) != 2 ||
		p.State.Price().Amount != 1250 || p.State.Created.Cost.Amount != 700 || p.State.Created.Category != "Dairy" {
		t.Fatalf("cheese: %+v %v", p.State.Created, err)
	}
	if bag, err := sh.deps.Catalog.ProductBySKU(ctx, "bag"); err != nil || bag.State.Created.TaxCode != "STD" || bag.State.Created.TrackStock {
		t.Fatalf("bag (rate 21 → STD, no stock column value): %+v %v", bag.State.Created, err)
	}
	afterFirst := sh.head(t)

	again := sh.run(t, good, false)
	if len(again.Problems) > 0 || again.Created != 0 || again.PriceChanged != 0 || again.Unchanged != 4 || again.StockReceived+again.StockAdjusted != 0 {
		t.Fatalf("second import of the same file: %+v", again)
	}
	if sh.head(t) != afterFirst {
		t.Fatalf("the same file imported twice wrote events: head %d → %d", afterFirst, sh.head(t))
	}

	corrected := strings.Replace(strings.Replace(good, "12.50", "13.00", 1), "Drinks;€ 9.99;;STD;pcs;12", "Drinks;€ 9.99;;STD;pcs;10", 1)
	rep = sh.run(t, corrected, false)
	if len(rep.Problems) > 0 || rep.Created != 0 || rep.PriceChanged != 1 || rep.StockAdjusted != 1 || rep.StockReceived != 0 || rep.Unchanged != 3 {
		t.Fatalf("corrected file: %+v", rep)
	}
	evs, err := sh.store.ReadAll(ctx, afterFirst, 100, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		types = append(types, e.Stream[:strings.IndexByte(e.Stream, '-')]+" "+e.Type)
	}
	slices.Sort(types)
	if len(evs) != 2 || !slices.Contains(types, "product "+catalog.TypeProductPriceChanged) || evs[0].Stream != commands.ProductStream(catalogimport.ProductID("CHEESE")) {
		t.Fatalf("the corrected file wrote %v, want one price change of CHEESE and one stock adjustment", types)
	}
	if got := sh.onHand(t, "WINE"); got != quantity.FromInt(10) {
		t.Fatalf("wine on hand %s after the correction, want 10", got)
	}
	if p, _ := sh.deps.Catalog.ProductBySKU(ctx, "cheese"); p.State.Price().Amount != 1300 {
		t.Fatalf("cheese price %v", p.State.Price())
	}

	// A field no command changes is a bad row, not a silent skip.
	renamed := strings.Replace(good, "Red wine", "Rosé", 1)
	rep = sh.run(t, renamed, false)
	if len(rep.Problems) != 1 || rep.Problems[0].Line != 4 || !strings.Contains(rep.Problems[0].Reason, "no command changes") || rep.Written {
		t.Fatalf("renamed product: %+v", rep.Problems)
	}
}
