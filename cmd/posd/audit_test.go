package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/internal/pgtest"
)

// TestServerRefusesToResealAnEditedHistory performs issue 11 item 2's attack on a running
// posd: once its checkpointer has sealed the log, an event is edited in PostgreSQL, its
// stream's hashes are recomputed and the checkpoints are deleted. posd's checkpointer must
// not seal again; it logs the rollback at error level with the seal it trusts and counts it
// in the metric that PosdAuditSealBroken alerts on.
func TestServerRefusesToResealAnEditedHistory(t *testing.T) {
	env := testEnv(t)
	env["POS_BOOTSTRAP_ADMIN_USERNAME"] = "admin"
	env["POS_BOOTSTRAP_ADMIN_PASSWORD"] = "correct-horse-battery-staple"
	env["POS_AUDIT_KEY"] = "hex:" + strings.Repeat("cd", 32)
	sealed := `"msg":"audit seal"`
	s := startServer(t, env, nil, nil)
	select {
	case <-s.logs.seen(sealed):
	case <-time.After(60 * time.Second):
		t.Fatalf("posd logged no seal within 60 s:\n%s", s.logs)
	}
	_, metrics := s.get(t, "/metrics")
	published := regexp.MustCompile(`pos_audit_seal_info\{seal="([^"]+)"\} 1`).FindStringSubmatch(metrics)
	if published == nil {
		t.Fatalf("no seal exported:\n%s", metrics)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := pgxpool.New(ctx, env["POS_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stream string
	if err := db.QueryRow(ctx, `SELECT stream_id FROM events WHERE position = 1`).Scan(&stream); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE events SET data = jsonb_set(data::jsonb, '{edited}', 'true')::json WHERE position = 1`,
		pgtest.RehashStreamSQL(stream),
		`DELETE FROM audit_checkpoints`,
	} {
		if _, err := db.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	select {
	case <-s.logs.seen(`"problem":"seal_missing","trusted_seal":"` + published[1]):
	case <-time.After(60 * time.Second):
		t.Fatalf("posd did not report the deleted seals within 60 s:\n%s", s.logs)
	}
	if !regexp.MustCompile(`"level":"ERROR","msg":"audit checkpoint"[^\n]*seal_missing`).MatchString(s.logs.String()) {
		t.Fatalf("the refusal is not logged at error level:\n%s", s.logs)
	}
	_, metrics = s.get(t, "/metrics")
	if !regexp.MustCompile(`pos_audit_seal_problems_total\{problem="seal_missing"\} [1-9]`).MatchString(metrics) {
		t.Fatalf("refusal not counted:\n%s", metrics)
	}
	var left int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM audit_checkpoints`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("posd sealed the edited history: %d checkpoints (%v)", left, err)
	}
}
