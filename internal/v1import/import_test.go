package v1import_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
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
	_, err := v1import.Import(cut, tg.deps, src, v1import.Options{StoreCode: "MAD1", Progress: func(done, _ int) {
		if done == 250 {
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
