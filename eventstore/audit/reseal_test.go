package audit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore/audit"
)

// TestCheckpointerRefusesToResealAnEditedHistory performs the attack of issue 11 item 2:
// someone with database access edits a sealed event, recomputes its stream's hashes and
// deletes the newer checkpoints, while posd's checkpointer keeps running. The checkpointer
// must refuse to seal the edited history and report the missing seal, and the seal it
// published earlier must make `verify --expect` fail, even after a checkpointer without that
// memory (a restarted posd) has sealed the edited history.
func TestCheckpointerRefusesToResealAnEditedHistory(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t, 2*time.Minute)
	e.fill(t, "shop", 10, 10, 1) // 100 events; shop-3 revision 2 is at position 23
	var problems []string
	var published []audit.Checkpoint
	posd := &audit.Checkpointer{Store: e.store, DB: e.db, Key: testKey, Every: 10, Index: true,
		OnSeal:    func(cp audit.Checkpoint) { published = append(published, cp) },
		OnProblem: func(p string) { problems = append(problems, p) }}
	sealed, err := posd.Extend(ctx)
	if err != nil || sealed.Position != 100 || len(published) != 10 || published[9].Seal() != sealed.Seal() {
		t.Fatalf("first seals: %v %v (published %d)", sealed, err, len(published))
	}
	seal := sealed.Seal() // what posd logged and exported; an auditor keeps it
	t.Logf("published seal: %s", seal)

	// The attack.
	e.exec(t, `UPDATE events SET data = '{"sale_id":3,"line":2,"refund":999999}' WHERE stream_id = 'shop-3' AND revision = 2`)
	e.exec(t, recomputeStream)
	e.exec(t, `DELETE FROM audit_checkpoints WHERE position > 20`)
	e.fill(t, "more", 5, 2, 1) // the shops go on selling

	_, err = posd.Extend(ctx)
	var se *audit.SealError
	if !errors.As(err, &se) || se.Problem != audit.SealMissing || se.Trusted.Seal() != seal {
		t.Fatalf("the checkpointer did not refuse the rolled-back checkpoints: %v", err)
	}
	t.Logf("refused: %v", err)
	if len(problems) != 1 || problems[0] != audit.SealMissing {
		t.Fatalf("problems reported: %v", problems)
	}
	if top := e.topCheckpoint(t); top != 20 {
		t.Fatalf("the checkpointer sealed the edited history: top checkpoint at %d", top)
	}
	if _, err := posd.Extend(ctx); !errors.As(err, &se) || len(problems) != 2 {
		t.Fatalf("a second run did not refuse again: %v %v", err, problems)
	}

	expect, err := audit.ParseSeal(seal)
	if err != nil {
		t.Fatal(err)
	}
	expectBroken := func(when string) {
		t.Helper()
		rep, err := audit.Verify(ctx, e.store, e.db, testKey, audit.Options{StreamTable: true, Expect: []audit.Checkpoint{expect}})
		if err != nil || rep.OK || rep.Broken.Problem != audit.ProblemExpected || rep.Broken.Position != 100 {
			t.Fatalf("verify --expect %s: %+v %+v %v", when, rep, rep.Broken, err)
		}
		t.Logf("verify --expect %s: %s", when, rep.Broken.Detail)
	}
	expectBroken("after the attack")

	// A checkpointer that never saw the seal (posd restarted) trusts what the table holds:
	// only the published seal still tells.
	restarted := &audit.Checkpointer{Store: e.store, DB: e.db, Key: testKey, Every: 10, Index: true}
	if _, err := restarted.Extend(ctx); err != nil {
		t.Fatal(err)
	}
	expectBroken("after a restarted checkpointer sealed the edited history")

	// The running checkpointer sees that the new checkpoints do not extend its seal.
	problems = nil
	if _, err = posd.Extend(ctx); !errors.As(err, &se) || se.Problem != audit.SealDiverges || len(problems) != 1 {
		t.Fatalf("the running checkpointer accepted checkpoints over the edited history: %v %v", err, problems)
	}
	t.Logf("refused: %v", err)
}

// TestCheckpointersOfSeveralReplicasAgree runs two checkpointers (two posd replicas) in turn
// over a growing log: each checks and adopts the other's checkpoints, and neither refuses.
func TestCheckpointersOfSeveralReplicasAgree(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t, 2*time.Minute)
	var problems []string
	report := func(p string) { problems = append(problems, p) }
	a := &audit.Checkpointer{Store: e.store, DB: e.db, Key: testKey, Every: 7, Index: true, OnProblem: report}
	b := &audit.Checkpointer{Store: e.store, DB: e.db, Key: testKey, Every: 11, Index: true, OnProblem: report}
	var last audit.Checkpoint
	for round := range 6 {
		e.fill(t, "shop", 3, 5, 2)
		for _, c := range []*audit.Checkpointer{a, b, a} {
			cp, err := c.Extend(ctx)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			last = cp
		}
	}
	if len(problems) != 0 || last.Count != 90 {
		t.Fatalf("problems %v, last seal %v", problems, last)
	}
	rep := e.verify(t)
	if !rep.OK || rep.CheckpointedThrough != last.Position {
		t.Fatalf("verify: %+v %+v", rep, rep.Broken)
	}
}

// TestSealTextForm round-trips a seal through its text form and rejects malformed ones.
func TestSealTextForm(t *testing.T) {
	cp := audit.Checkpoint{Position: 1234, Count: 1200}
	cp.Hash[0], cp.Hash[31] = 0xab, 0x01
	cp.MAC = audit.MAC(testKey, cp.Position, cp.Count, cp.Hash)
	got, err := audit.ParseSeal(" " + cp.Seal() + "\n")
	if err != nil || got.Seal() != cp.Seal() || !got.Valid(testKey) {
		t.Fatalf("round trip of %s: %v %v", cp.Seal(), got, err)
	}
	for _, bad := range []string{"", "posseal1:", "posseal1:1:2:ab:cd", "posseal2:" + cp.Seal()[9:], cp.Seal() + ":1",
		"posseal1:-1:1:" + cp.Hash.String() + ":" + cp.Hash.String(), "posseal1:1:1:" + cp.Hash.String() + ":abcd"} {
		if _, err := audit.ParseSeal(bad); err == nil {
			t.Errorf("ParseSeal(%q) accepted", bad)
		}
	}
}

// TestCheckpointerRefusesAForgedCheckpoint: a checkpoint written without the key, whether it
// lies after the running checkpointer's seal or is the newest one a starting checkpointer
// finds, is never extended.
func TestCheckpointerRefusesAForgedCheckpoint(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t, 2*time.Minute)
	e.fill(t, "shop", 5, 4, 1)
	var problems []string
	running := &audit.Checkpointer{Store: e.store, DB: e.db, Key: testKey, OnProblem: func(p string) { problems = append(problems, p) }}
	if _, err := running.Extend(ctx); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `INSERT INTO audit_checkpoints (position, event_count, chain_hash, mac) VALUES (1000, 1000, sha256('x'), sha256('y'))`)
	e.fill(t, "more", 2, 2, 1)
	for _, c := range []*audit.Checkpointer{running, {Store: e.store, DB: e.db, Key: testKey}} {
		var se *audit.SealError
		if _, err := c.Extend(ctx); !errors.Is(err, audit.ErrCheckpointForged) || !errors.As(err, &se) || se.Problem != audit.SealForged {
			t.Fatalf("extended a forged checkpoint: %v", err)
		}
	}
	if len(problems) != 1 || problems[0] != audit.SealForged {
		t.Fatalf("problems reported: %v", problems)
	}
	if top := e.topCheckpoint(t); top != 1000 {
		t.Fatalf("top checkpoint %d", top)
	}
}

// TestCheckpointerNoticesADeletionDuringItsRun: checkpoints deleted while a run is under way
// (after it checked its seal, before it stored a newer one) are noticed by the next run.
func TestCheckpointerNoticesADeletionDuringItsRun(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t, 2*time.Minute)
	e.fill(t, "shop", 10, 10, 1)
	posd := &audit.Checkpointer{Store: e.store, DB: e.db, Key: testKey, Every: 1000}
	first, err := posd.Extend(ctx)
	if err != nil || first.Position != 100 {
		t.Fatalf("first seal: %v %v", first, err)
	}
	// The deletion lands just before the run's insert (a trigger stands in for the attacker).
	e.exec(t, `CREATE FUNCTION attack() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN DELETE FROM audit_checkpoints WHERE position < NEW.position; RETURN NEW; END $$`)
	e.exec(t, `CREATE TRIGGER attack BEFORE INSERT ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION attack()`)
	e.fill(t, "more", 2, 2, 1)
	if _, err := posd.Extend(ctx); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `DROP TRIGGER attack ON audit_checkpoints`)
	var se *audit.SealError
	if _, err = posd.Extend(ctx); !errors.As(err, &se) || se.Problem != audit.SealMissing {
		t.Fatalf("the deletion during the previous run went unnoticed: %v", err)
	}
	t.Logf("refused: %v", err)
}
