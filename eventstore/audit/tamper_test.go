package audit_test

import (
	"testing"

	"github.com/odata-pos/pos/eventstore/audit"
	"github.com/odata-pos/pos/internal/pgtest"
)

// recomputeStream rewrites the hashes of one stream from its content, as an attacker who knows
// the chain encoding (but not the checkpoint key) would after editing it, streams row included.
var recomputeStream = pgtest.RehashStreamSQL("shop-3")

// TestTamperingIsDetected tampers with a sealed log directly in PostgreSQL in every way the
// issue names and checks that Verify reports the first broken link.
func TestTamperingIsDetected(t *testing.T) {
	cases := []struct {
		name    string
		tamper  []string
		problem string
		// stream, revision and position of the break when known (position 0: not checked)
		stream   string
		revision uint64
		position int64
	}{
		{
			name:    "update data",
			tamper:  []string{`UPDATE events SET data = '{"sale_id":3,"line":2,"refund":999999}' WHERE stream_id = 'shop-3' AND revision = 2`},
			problem: audit.ProblemHash, stream: "shop-3", revision: 2, position: 23,
		},
		{
			name:    "update metadata (the approver)",
			tamper:  []string{`UPDATE events SET metadata = '{"user_id":"someone-else"}' WHERE position = 42`},
			problem: audit.ProblemHash, position: 42,
		},
		{
			name: "update data and recompute the stream's hashes",
			tamper: []string{
				`UPDATE events SET data = '{"sale_id":3,"line":2,"refund":999999}' WHERE stream_id = 'shop-3' AND revision = 2`,
				recomputeStream,
			},
			problem: audit.ProblemCheckpoint,
		},
		{
			name:    "delete an event",
			tamper:  []string{`DELETE FROM events WHERE stream_id = 'shop-3' AND revision = 1`},
			problem: audit.ProblemRevision, stream: "shop-3", revision: 2,
		},
		{
			name:    "delete a stream's last event and fix the stream",
			tamper:  []string{`DELETE FROM events WHERE stream_id = 'shop-3' AND revision = 9`, recomputeStream},
			problem: audit.ProblemCheckpoint,
		},
		{
			name:    "delete the last event of the log",
			tamper:  []string{`DELETE FROM events WHERE position = (SELECT max(position) FROM events)`, `UPDATE streams SET revision = 8, last_hash = (SELECT hash FROM events WHERE stream_id = 'shop-10' AND revision = 8) WHERE stream_id = 'shop-10'`},
			problem: audit.ProblemCheckpointMissing,
		},
		{
			name: "insert a forged event with a correct chain hash",
			tamper: []string{
				// Make room in the middle of the sealed log, then forge shop-3's next event there.
				`UPDATE events SET position = -position WHERE position > 50`,
				`UPDATE events SET position = -position + 1 WHERE position < 0`,
				`INSERT INTO events (position, event_id, stream_id, revision, type, data, metadata, hash)
				 SELECT 51, gen_random_uuid(), 'forged-1', 0, 'sales.refund_issued.v1', '{"amount":100000}', '{}',
				        pos_event_hash(NULL, 'forged-1', 0, gen_random_uuid(), 'x', '{}', '{}')`,
				`UPDATE events SET hash = pos_event_hash(NULL, stream_id, revision, event_id, type, data, metadata) WHERE stream_id = 'forged-1'`,
				`INSERT INTO streams (stream_id, revision, last_hash) SELECT 'forged-1', 0, hash FROM events WHERE stream_id = 'forged-1'`,
			},
			problem: audit.ProblemCheckpoint,
		},
		{
			name: "swap two events' positions",
			tamper: []string{
				`UPDATE events SET position = -1 WHERE position = 30`,
				`UPDATE events SET position = 30 WHERE position = 31`,
				`UPDATE events SET position = 31 WHERE position = -1`,
			},
			problem: audit.ProblemCheckpoint,
		},
		{
			name: "swap two events' revisions",
			tamper: []string{
				`UPDATE events SET revision = -1 WHERE stream_id = 'shop-3' AND revision = 1`,
				`UPDATE events SET revision = 1 WHERE stream_id = 'shop-3' AND revision = 2`,
				`UPDATE events SET revision = 2 WHERE stream_id = 'shop-3' AND revision = -1`,
			},
			problem: audit.ProblemRevision, stream: "shop-3", revision: 2,
		},
		{
			name:    "forge a checkpoint without the key",
			tamper:  []string{`INSERT INTO audit_checkpoints (position, event_count, chain_hash, mac) VALUES (1000, 1000, sha256('x'), sha256('y'))`},
			problem: audit.ProblemCheckpointMAC, position: 1000,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.fill(t, "shop", 10, 10, 1) // 100 events, 10 streams interleaved: shop-3 at 3, 13, 23, …
			e.checkpoint(t, 25)
			if rep := e.verify(t); !rep.OK || rep.Events != 100 || rep.CheckpointedThrough != 100 {
				t.Fatalf("untouched log: %+v %+v", rep, rep.Broken)
			}
			for _, sql := range c.tamper {
				e.exec(t, sql)
			}
			rep := e.verify(t)
			if rep.OK || rep.Broken == nil {
				t.Fatalf("tampering went unnoticed: %+v", rep)
			}
			b := rep.Broken
			t.Logf("detected: %s at %s@%d position %d: %s", b.Problem, b.Stream, b.Revision, b.Position, b.Detail)
			if b.Problem != c.problem {
				t.Fatalf("problem %q, want %q", b.Problem, c.problem)
			}
			if c.stream != "" && (b.Stream != c.stream || b.Revision != c.revision) {
				t.Fatalf("broken link at %s@%d, want %s@%d", b.Stream, b.Revision, c.stream, c.revision)
			}
			if c.position != 0 && int64(b.Position) != c.position {
				t.Fatalf("broken link at position %d, want %d", b.Position, c.position)
			}
		})
	}
}

// TestNoFalseAlarmOn100k verifies an untouched log of 100,000 events, checkpointed while it
// grew, and then refuses an extension of a forged checkpoint.
func TestNoFalseAlarmOn100k(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: fills 100,000 events")
	}
	e := newEnv(t)
	e.fill(t, "sale", 1000, 60, 10)
	e.checkpoint(t, 7000)
	e.fill(t, "shift", 400, 100, 1)
	cp := e.checkpoint(t, 7000)
	if cp.Count != 100000 {
		t.Fatalf("last checkpoint sealed %d events", cp.Count)
	}
	rep := e.verify(t)
	if !rep.OK || rep.Events != 100000 || rep.Streams != 1400 || rep.CheckpointedThrough != cp.Position {
		t.Fatalf("false alarm or short walk: %+v %+v", rep, rep.Broken)
	}
	t.Logf("verified %d events of %d streams against %d checkpoints in %s", rep.Events, rep.Streams, rep.Checkpoints, rep.Took)
}
