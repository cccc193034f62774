package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/internal/pgtest"
)

// TestVerifyExpectCatchesAResealedHistory: someone with database access edits a sealed
// sale, recomputes its stream's hashes, deletes the checkpoints and has a fresh checkpointer
// (a restarted posd, here posctl audit checkpoint) seal the edited history. A plain verify
// cannot tell; with the seal published before the edit (--expect) it fails with a clear
// message.
func TestVerifyExpectCatchesAResealedHistory(t *testing.T) {
	e := shop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	vars := lookup(map[string]string{
		"POS_DATABASE_URL": e.DB.Config().ConnString(), "POS_JWT_SECRET": "apitest-signing-key-0123456789abcdef",
		"POS_REDIS_URL": "", "POS_DATA_DIR": t.TempDir(),
	})
	posctl := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, vars, &out, &out)
		return out.String(), err
	}
	out, err := posctl("audit", "checkpoint")
	seal := regexp.MustCompile(`seal: (posseal1:\S+)`).FindStringSubmatch(out)
	if err != nil || seal == nil {
		t.Fatalf("checkpoint: %v\n%s", err, out)
	}
	if out, err := posctl("audit", "verify", "--expect", seal[1]); err != nil || !strings.Contains(out, "ok: the log extends the expected seal") {
		t.Fatalf("verify --expect on the untouched log: %v\n%s", err, out)
	}

	var stream string
	if err := e.DB.QueryRow(ctx, `SELECT stream_id FROM events WHERE type LIKE 'sales.%' ORDER BY position LIMIT 1`).Scan(&stream); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := e.DB.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`UPDATE events SET data = jsonb_set(data::jsonb, '{note}', '"edited"')::json WHERE stream_id = $1 AND revision = 0`, stream)
	exec(pgtest.RehashStreamSQL(stream))
	exec(`DELETE FROM audit_checkpoints`)
	if out, err := posctl("audit", "checkpoint"); err != nil {
		t.Fatalf("re-seal: %v\n%s", err, out)
	}
	out, err = posctl("audit", "verify", "--expect", seal[1])
	if !errors.Is(err, errFound) || !strings.Contains(out, "BROKEN: expected_seal_broken") {
		t.Fatalf("verify --expect after the edited history was resealed: %v\n%s", err, out)
	}
	t.Log(out)
	if _, err := posctl("audit", "verify", "--expect", "posseal1:12:nonsense"); !errors.Is(err, errUsage) {
		t.Fatalf("a malformed seal: %v", err)
	}
}
