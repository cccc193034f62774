package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/esdb"
	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

// history is a shop whose log holds sales, a return, a closed shift and stock documents.
func history(t *testing.T) *apitest.Env {
	t.Helper()
	e := apitest.New(t, apitest.Options{})
	h := e.API.Commands
	storeID := salestest.NewStore(t, h, "A", salestest.Settings(true))
	regID := salestest.NewRegister(t, h, storeID, "R1")
	salestest.NewTaxCode(t, h, "STD", 2100)
	bread := salestest.NewProduct(t, h, salestest.Product{SKU: "BREAD", Price: 299, TaxCode: "STD", TrackStock: true})
	wine := salestest.NewProduct(t, h, salestest.Product{SKU: "WINE", Price: 1000, TaxCode: "STD", TrackStock: true})
	cashier := salestest.Token(t, e.API, "cashier-1", authz.RoleCashier, storeID.String())
	manager := salestest.Token(t, e.API, "manager-1", authz.RoleManager, storeID.String())
	e.Must(http.StatusCreated, "POST", "/api/v1/inventory/receipts", manager, map[string]any{"id": uuid.New(), "location_id": storeID,
		"lines": []any{map[string]any{"product_id": bread, "quantity": 50, "unit_cost": salestest.EUR(120)}, map[string]any{"product_id": wine, "quantity": 12}}})
	shiftID := uuid.New()
	e.Must(http.StatusCreated, "POST", "/api/v1/shifts", cashier, map[string]any{"id": shiftID, "register_id": regID, "opening_float": salestest.EUR(10000)})
	var saleID, breadLine uuid.UUID
	for range 6 {
		saleID, breadLine = uuid.New(), uuid.New()
		e.Must(http.StatusCreated, "POST", "/api/v1/sales", cashier, map[string]any{
			"id": saleID, "store_id": storeID, "register_id": regID, "shift_id": shiftID, "complete": true,
			"lines": []any{
				map[string]any{"id": breadLine, "product_id": bread, "quantity": json.Number("2")},
				map[string]any{"id": uuid.New(), "product_id": wine, "quantity": json.Number("1")},
			},
			"payments": []any{map[string]any{"id": uuid.New(), "tender": "card", "amount": salestest.EUR(1598)}},
		})
	}
	e.Must(http.StatusCreated, "POST", "/api/v1/returns", cashier, map[string]any{"id": uuid.New(), "sale_id": saleID, "shift_id": shiftID,
		"lines":   []any{map[string]any{"sale_line_id": breadLine, "quantity": 1, "restock": true, "reason": "damaged"}},
		"refunds": []any{map[string]any{"id": uuid.New(), "tender": "card", "amount": salestest.EUR(299)}}})
	e.Must(http.StatusCreated, "POST", "/api/v1/inventory/adjustments", manager, map[string]any{"id": uuid.New(), "location_id": storeID,
		"lines": []any{map[string]any{"product_id": wine, "delta": -1, "reason": "damage"}}})
	e.Must(http.StatusOK, "POST", "/api/v1/shifts/"+shiftID.String()+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(10000)})
	return e
}

// sealRE finds the seal in the output of posctl audit checkpoint.
var sealRE = regexp.MustCompile(`posseal1:\S+`)

// TestRestoreRoundTripOnBothBackends exports a shop's sealed log, restores it into a new
// PostgreSQL store and into EventStoreDB (the emulator), and expects: every event as it was
// (ID, stream, revision, type, data, metadata, recorded time), audit verify passing against
// the original seal, and read models rebuilt from each restored log equal to those rebuilt
// from the original, table by table. A second restore into a store with events is refused,
// and so is a backup with an edited event, with nothing of its batch written.
func TestRestoreRoundTripOnBothBackends(t *testing.T) {
	e := history(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	secret := "apitest-signing-key-0123456789abcdef"
	vars := func(db, esdbURL string) func(string) (string, bool) {
		return lookup(map[string]string{"POS_DATABASE_URL": db, "POS_ESDB_URL": esdbURL, "POS_JWT_SECRET": secret,
			"POS_REDIS_URL": "", "POS_DATA_DIR": t.TempDir()})
	}
	orig := vars(e.DB.Config().ConnString(), "")
	var out bytes.Buffer
	cli := func(lookup func(string) (string, bool), args ...string) error {
		out.Reset()
		return run(ctx, args, lookup, &out, &out)
	}
	if err := cli(orig, "audit", "checkpoint"); err != nil {
		t.Fatalf("checkpoint: %v\n%s", err, out.String())
	}
	seal := sealRE.FindString(out.String())
	file := filepath.Join(t.TempDir(), "backup.jsonl")
	if err := cli(orig, "audit", "export", "--out", file); err != nil || seal == "" {
		t.Fatalf("export: %v (seal %q)\n%s", err, seal, out.String())
	}
	want := readAll(ctx, t, e.Store)
	if len(want) < 40 {
		t.Fatalf("the history has only %d events", len(want))
	}

	// The same backup into a new PostgreSQL store and into EventStoreDB.
	pgURL := pgtest.NewDatabase(t)
	srv := esdbtest.New(t)
	targets := []struct {
		name string
		vars func(string) (string, bool)
		open func() eventstore.Store
	}{
		{"postgres", vars(pgURL, ""), func() eventstore.Store {
			s, err := pgstore.Open(ctx, pgURL, pgstore.Options{SkipMigrations: true})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"eventstoredb", vars(pgtest.NewDatabase(t), srv.URL()), func() eventstore.Store {
			s, err := esdb.Open(ctx, srv.URL(), esdb.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
	base, _ := newPool(t)
	if _, err := replay(ctx, e.Store, base, allProjections()); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if err := cli(tg.vars, "restore", "--batch", "7", file); err != nil {
			t.Fatalf("%s: restore: %v\n%s", tg.name, err, out.String())
		}
		if !strings.Contains(out.String(), "restored "+itoa(len(want))+" events") {
			t.Fatalf("%s: restore says %s", tg.name, out.String())
		}
		if err := cli(tg.vars, "audit", "verify", "--expect", seal); err != nil || !strings.Contains(out.String(), "extends the expected seal") {
			t.Fatalf("%s: verify against the original seal: %v\n%s", tg.name, err, out.String())
		}
		if err := cli(tg.vars, "restore", file); err == nil || !strings.Contains(err.Error(), errStoreNotEmpty.Error()) {
			t.Fatalf("%s: a second restore into a store with events: %v", tg.name, err)
		}
		s := tg.open()
		got := readAll(ctx, t, s)
		sameEvents(t, tg.name, want, got)
		rebuilt, _ := newPool(t)
		if _, err := replay(ctx, s, rebuilt, allProjections()); err != nil {
			t.Fatal(err)
		}
		var diff bytes.Buffer
		if n, err := compareDatabases(ctx, base, rebuilt, &diff); err != nil || n != 0 {
			t.Fatalf("%s: read models rebuilt from the restored log differ (%d, %v):\n%s", tg.name, n, err, diff.String())
		}
		_ = s.Close()
	}

	// A backup with one edited event is refused, and its batch leaves nothing behind.
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(b, []byte(`"amount":1598`), []byte(`"amount":1599`), 1)
	if bytes.Equal(edited, b) {
		t.Fatal("the backup holds no amount of 1598 to edit")
	}
	bad := filepath.Join(t.TempDir(), "edited.jsonl")
	if err := os.WriteFile(bad, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	emptyURL := pgtest.NewDatabase(t)
	err = cli(vars(emptyURL, ""), "restore", "--batch", "1000", bad)
	if !errors.Is(err, eventstore.ErrInvalidRestore) || !strings.Contains(err.Error(), "stored hash") {
		t.Fatalf("restore of an edited backup: %v", err)
	}
	db, err := pgxpool.New(ctx, emptyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("an edited backup left %d events (%v)", n, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// readAll reads the whole of $all.
func readAll(ctx context.Context, t *testing.T, s eventstore.Store) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	from := eventstore.Start
	for {
		evs, err := s.ReadAll(ctx, from, 500, eventstore.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return out
		}
		out = append(out, evs...)
		from = evs[len(evs)-1].Position
	}
}

// sameEvents compares two logs event by event, by audit position.
func sameEvents(t *testing.T, name string, want, got []eventstore.RecordedEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events restored, want %d", name, len(got), len(want))
	}
	for i := range want {
		w, g := &want[i], &got[i]
		switch {
		case g.ID != w.ID || g.Stream != w.Stream || g.Revision != w.Revision || g.Type != w.Type:
			t.Fatalf("%s: event %d is %s %s@%d %s, want %s %s@%d %s", name, i, g.ID, g.Stream, g.Revision, g.Type, w.ID, w.Stream, w.Revision, w.Type)
		case g.AuditPosition() != w.Position:
			t.Fatalf("%s: event %d has audit position %d, want %d", name, i, g.AuditPosition(), w.Position)
		case !bytes.Equal(g.Data, w.Data) || !bytes.Equal(g.RawMetadata, w.RawMetadata) || !bytes.Equal(g.Hash, w.Hash):
			t.Fatalf("%s: event %d: data, metadata or hash differ:\n%s %s\n%s %s", name, i, g.Data, g.RawMetadata, w.Data, w.RawMetadata)
		case !g.RecordedAt.Equal(w.RecordedAt) || !g.Metadata.OccurredAt.Equal(w.Metadata.OccurredAt):
			t.Fatalf("%s: event %d recorded %s occurred %s, want %s %s", name, i, g.RecordedAt, g.Metadata.OccurredAt, w.RecordedAt, w.Metadata.OccurredAt)
		}
	}
}
