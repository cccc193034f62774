package v1import_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/esdb"
	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/credentials"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/internal/v1import"
	"github.com/odata-pos/pos/internal/v1import/v1gen"
)

// target is an empty event store with a credential store.
type target struct {
	url   string
	store eventstore.Store
	deps  v1import.Deps
}

func newTarget(t *testing.T) target { return newTargetB(t) }

func newTargetB(t testing.TB) target {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	st, err := pgstore.Open(ctx, url, pgstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	creds, err := credentials.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	return target{url: url, store: st, deps: v1import.Deps{Handler: commands.NewHandler(st, commands.NewCodec(), commands.Options{}), Credentials: creds}}
}

func generate(t *testing.T, sales int) (*v1import.Source, v1gen.Summary) { return generateB(t, sales) }

func generateB(t testing.TB, sales int) (*v1import.Source, v1gen.Summary) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "v1.sqlite")
	sum, err := v1gen.Generate(context.Background(), path, v1gen.Options{Sales: sales, Days: 300, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	src, err := v1import.Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return src, sum
}

func countEvents(t testing.TB, st eventstore.Store) int {
	t.Helper()
	n, from := 0, eventstore.Start
	for {
		page, err := st.ReadAll(context.Background(), from, 1000, eventstore.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return n
		}
		n += len(page)
		from = page[len(page)-1].Position
	}
}

func TestImportReconcilesAndIsIdempotent(t *testing.T) {
	src, sum := generate(t, 1200)
	tg := newTarget(t)
	ctx := context.Background()
	rep, err := v1import.Import(ctx, tg.deps, src, v1import.Options{StoreCode: "MAD1"})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		rep.WriteText(testWriter{t})
		t.Fatalf("report not OK: complete %v reconciled %v", rep.Complete, rep.Reconciled)
	}
	if rep.Period.V1Sold != sum.SoldCents || rep.Period.ImportedSold != sum.SoldCents {
		t.Fatalf("sold: v1 %d imported %d, generator %d", rep.Period.V1Sold, rep.Period.ImportedSold, sum.SoldCents)
	}
	if rep.Period.ImportedRefunded != sum.RefundedCents {
		t.Fatalf("refunded %d, generator %d", rep.Period.ImportedRefunded, sum.RefundedCents)
	}
	for _, want := range []string{"nonexistent", "ambiguous", "duplicates", "clashes", "deleted in v1", "unknown role", "imported disabled", "short of the total", "one correction"} {
		if !listed(rep, want) {
			t.Errorf("nothing listed with %q", want)
		}
	}
	first := countEvents(t, tg.store)
	again, err := v1import.Import(ctx, tg.deps, src, v1import.Options{StoreCode: "MAD1"})
	if err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, tg.store); n != first || !again.OK() {
		t.Fatalf("second run: %d events after %d, ok %v", n, first, again.OK())
	}
}

func TestImportInterruptedCompletesWhenRunAgain(t *testing.T) {
	src, _ := generate(t, 600)
	ctx := context.Background()
	clean := newTarget(t)
	if _, err := v1import.Import(ctx, clean.deps, src, v1import.Options{StoreCode: "MAD1"}); err != nil {
		t.Fatal(err)
	}
	tg := newTarget(t)
	cut, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err := v1import.Import(cut, tg.deps, src, v1import.Options{StoreCode: "MAD1", Batch: 20, Progress: func(done, _ int) {
		if done >= 250 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted import: %v", err)
	}
	rep, err := v1import.Import(ctx, tg.deps, src, v1import.Options{StoreCode: "MAD1"})
	if err != nil || !rep.OK() {
		t.Fatalf("rerun: %v ok %v", err, rep.OK())
	}
	if got, want := countEvents(t, tg.store), countEvents(t, clean.store); got != want {
		t.Fatalf("interrupted then completed: %d events, a clean import %d", got, want)
	}
}

// TestImportRefusesASaleTheDomainCannotHold imports a file with one sale whose discount
// exceeds its goods (a negative total, which the domain cannot hold): it is refused and
// listed with its v1 id, everything else is imported, and the reconciliation shows the
// refused total on its day and over the period, so the report is not OK.
func TestImportRefusesASaleTheDomainCannotHold(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.sqlite")
	if _, err := v1gen.Generate(context.Background(), path, v1gen.Options{Sales: 200, Days: 30, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	if err := db.QueryRow(`SELECT total FROM sales WHERE id = 17`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE sales SET status = 'completed', discount_amount = total + 1.5, total = -1.5 WHERE id = 17`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	src, err := v1import.Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := v1import.Import(context.Background(), newTarget(t).deps, src, v1import.Options{StoreCode: "MAD1"})
	if err != nil {
		t.Fatal(err)
	}
	var refused []v1import.Listed
	for _, l := range rep.Listed {
		if l.Outcome == v1import.OutcomeRefused {
			refused = append(refused, l)
		}
	}
	if len(refused) != 1 || refused[0].Table != "sales" || refused[0].ID != 17 || !contains(refused[0].Reason, "discount exceeds") {
		t.Fatalf("refused: %+v, want sale 17, its discount beyond its goods", refused)
	}
	if rep.Complete || rep.Reconciled || rep.OK() {
		t.Fatalf("complete %v reconciled %v: a refused sale must show", rep.Complete, rep.Reconciled)
	}
	if rep.Period.V1Sold-rep.Period.ImportedSold != -150 {
		t.Fatalf("period: v1 sold %d, imported %d: want the refused -1.50 as the only difference", rep.Period.V1Sold, rep.Period.ImportedSold)
	}
	off := 0
	for _, d := range rep.Days {
		if d.Diff != 0 {
			off++
			if d.Diff != 150 && d.Diff != -150 {
				t.Fatalf("day %s differs by %d", d.Day, d.Diff)
			}
		}
	}
	if off != 1 {
		t.Fatalf("%d days differ, want the refused sale's", off)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	src, sum := generate(t, 300)
	tg := newTarget(t)
	rep, err := v1import.Import(context.Background(), tg.deps, src, v1import.Options{StoreCode: "MAD1", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Period.ImportedSold != sum.SoldCents || !rep.OK() {
		t.Fatalf("dry run: imported %d of %d, ok %v", rep.Period.ImportedSold, sum.SoldCents, rep.OK())
	}
	if n := countEvents(t, tg.store); n != 0 {
		t.Fatalf("a dry run wrote %d events", n)
	}
}

func listed(r *v1import.Report, substr string) bool {
	for _, l := range r.Listed {
		if contains(l.Reason, substr) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Log(string(b)); return len(b), nil }

var _ io.Writer = testWriter{}
var _ = time.Second

// TestDryRunSeesClashesInTheStore imports one file into MAD1, then dry-runs another file (other
// row IDs) into the same store: the dry run reports what a real run would meet in the event
// store (the store exists, SKUs held by the first file's products, usernames taken, the
// history register's code held), and writes nothing.
func TestDryRunSeesClashesInTheStore(t *testing.T) {
	ctx := context.Background()
	tg := newTarget(t)
	first, _ := generate(t, 100)
	if _, err := v1import.Import(ctx, tg.deps, first, v1import.Options{StoreCode: "MAD1"}); err != nil {
		t.Fatal(err)
	}
	before := countEvents(t, tg.store)
	path := filepath.Join(t.TempDir(), "other.sqlite")
	if _, err := v1gen.Generate(ctx, path, v1gen.Options{Sales: 100, Days: 30, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	other, err := v1import.Read(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := v1import.Import(ctx, tg.deps, other, v1import.Options{StoreCode: "MAD1", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"store MAD1 exists in the event store", "is held by another product of the chain", "is taken in the chain", "register code V1-HISTORY"} {
		if !listed(rep, want) {
			rep.WriteText(testWriter{t})
			t.Errorf("the dry run lists nothing with %q", want)
		}
	}
	if rep.OK() {
		t.Fatal("a dry run that meets clashes a real run stops at is OK")
	}
	if n := countEvents(t, tg.store); n != before {
		t.Fatalf("the dry run wrote %d events", n-before)
	}
}

// TestImportIntoEventStoreDB imports a generated file into EventStoreDB (the in-process
// emulator): the report reconciles, the events are those of the same import into
// PostgreSQL, and a second run writes nothing.
func TestImportIntoEventStoreDB(t *testing.T) {
	ctx := context.Background()
	src, _ := generate(t, 300)
	srv := esdbtest.New(t)
	st, err := esdb.Open(ctx, srv.URL(), esdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	pg := newTarget(t)
	deps := v1import.Deps{Handler: commands.NewHandler(st, commands.NewCodec(), commands.Options{}), Credentials: pg.deps.Credentials}
	rep, err := v1import.Import(ctx, deps, src, v1import.Options{StoreCode: "MAD1"})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		rep.WriteText(testWriter{t})
		t.Fatal("the import into EventStoreDB does not reconcile")
	}
	if _, err := v1import.Import(ctx, pg.deps, src, v1import.Options{StoreCode: "MAD1"}); err != nil {
		t.Fatal(err)
	}
	n := countEvents(t, st)
	if want := countEvents(t, pg.store); n != want {
		t.Fatalf("EventStoreDB holds %d events, the same import into PostgreSQL %d", n, want)
	}
	again, err := v1import.Import(ctx, deps, src, v1import.Options{StoreCode: "MAD1"})
	if err != nil || !again.OK() {
		t.Fatalf("second run: %v", err)
	}
	if m := countEvents(t, st); m != n {
		t.Fatalf("second run wrote %d events", m-n)
	}
}
