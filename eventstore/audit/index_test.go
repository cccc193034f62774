package audit_test

import (
	"testing"
	"time"
)

// TestIndexRewritesIndexedPages has a checkpointer index pages another one indexed already (it
// trusts an older checkpoint than the one the index reached): it leaves those rows alone and
// goes on sealing, and the index still holds every event once.
func TestIndexRewritesIndexedPages(t *testing.T) {
	e := newEnv(t)
	e.fill(t, "sale", 10, 5, 5)
	e.checkpoint(t, 20) // indexes all 50 events, seals at 20, 40 and 50
	e.exec(t, `DELETE FROM audit_checkpoints WHERE position > 20`)
	e.fill(t, "shift", 2, 5, 5)
	if cp := e.checkpoint(t, 20); cp.Position != 60 || cp.Count != 60 {
		t.Fatalf("sealed at %d with %d events, want 60 and 60", cp.Position, cp.Count)
	}
	var rows, distinct, top int64
	if err := e.db.QueryRow(ctxT(t, time.Minute), `SELECT count(*), count(DISTINCT position), max(position) FROM audit_event_index`).
		Scan(&rows, &distinct, &top); err != nil {
		t.Fatal(err)
	}
	if rows != 60 || distinct != 60 || top != 60 {
		t.Fatalf("index holds %d rows, %d positions, up to %d; want 60, 60, 60", rows, distinct, top)
	}
}
