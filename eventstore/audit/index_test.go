package audit_test

import (
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore/audit"
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

// TestSchemaIndexesRecordedTimeWithBRIN upgrades an index table made with the former B-tree
// on recorded_at: EnsureSchema replaces it with the BRIN index.
func TestSchemaIndexesRecordedTimeWithBRIN(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t, time.Minute)
	if err := audit.EnsureSchema(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `DROP INDEX audit_event_index_recorded_brin`)
	e.exec(t, `CREATE INDEX audit_event_index_recorded ON audit_event_index (recorded_at, position)`)
	if err := audit.EnsureSchema(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	var methods string
	if err := e.db.QueryRow(ctx, `SELECT string_agg(c.relname || ':' || a.amname, ' ' ORDER BY c.relname)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
		WHERE i.indrelid = 'audit_event_index'::regclass AND pg_get_indexdef(i.indexrelid) LIKE '%recorded_at%'`).Scan(&methods); err != nil {
		t.Fatal(err)
	}
	if methods != "audit_event_index_recorded_brin:brin" {
		t.Fatalf("indexes on recorded_at: %s", methods)
	}
}
