package audit

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

// Problems a Verify reports, as stable codes.
const (
	ProblemRevision          = "revision_out_of_order" // a stream's revisions are not 0, 1, 2, … in $all order
	ProblemMissingHash       = "missing_hash"          // an event carries no chain hash
	ProblemHash              = "hash_mismatch"         // the content or the link does not give the stored hash
	ProblemCheckpointMAC     = "checkpoint_forged"     // a checkpoint's MAC is wrong under the key
	ProblemCheckpoint        = "checkpoint_mismatch"   // the log up to a checkpoint is not what it sealed
	ProblemCheckpointMissing = "checkpoint_beyond_log" // a checkpoint seals events that are gone
	ProblemStreamHead        = "stream_head_mismatch"  // streams.revision or last_hash disagree with the events
	ProblemCoverage          = "checkpoints_too_short" // checkpoints reach less far than Options.MinCheckpoint
	ProblemExpected          = "expected_seal_broken"  // the log does not extend a seal of Options.Expect
	ProblemExpectedMAC       = "expected_seal_forged"  // a seal of Options.Expect has a MAC that the key does not give
)

// Break is the first broken link found.
type Break struct {
	Stream   string              `json:"stream,omitempty"`
	Revision uint64              `json:"revision"`
	Position eventstore.Position `json:"position"`
	// After is, for checkpoint problems, the position of the previous good checkpoint: the
	// tampering lies in (After, Position].
	After   eventstore.Position `json:"after,omitempty"`
	Problem string              `json:"problem"`
	Detail  string              `json:"detail"`
}

// Report is the outcome of Verify.
type Report struct {
	OK          bool   `json:"ok"`
	Events      uint64 `json:"events_checked"`
	Streams     int    `json:"streams"`
	Checkpoints int    `json:"checkpoints_checked"`
	// CheckpointedThrough is the position of the last checkpoint verified: events up to it
	// are sealed by the key; later ones only by their stream chains.
	CheckpointedThrough eventstore.Position `json:"checkpointed_through"`
	Head                eventstore.Position `json:"head"`
	Broken              *Break              `json:"broken,omitempty"`
	Took                time.Duration       `json:"-"`
	TookSeconds         float64             `json:"took_seconds"`
}

// Options tune Verify.
type Options struct {
	// StreamTable also compares PostgreSQL's streams table (revision, last_hash) with the
	// events; set it when the event store is pgstore in the same database as DB. Verify then
	// reads the events, the streams table and the checkpoints in one read-only snapshot
	// (REPEATABLE READ), so that appends during a verification never look like tampering.
	StreamTable bool
	// MinCheckpoint fails verification when the checkpoints end before this position (the
	// auditor's record of an earlier report).
	MinCheckpoint eventstore.Position
	// Expect are seals published earlier (posd's log or metrics; ParseSeal) that the log
	// must still extend: folding the log must give each one's event count and chain hash at
	// its position, whatever the checkpoint table now holds.
	Expect []Checkpoint
	// Page is the ReadAll page size (default 5000).
	Page int
	// Progress, when set, is called after each page with the events checked so far.
	Progress func(events uint64)
}

type streamState struct {
	next uint64
	last chain.Hash
}

// Verify walks the whole of $all: it recomputes every event's chain hash from its content and
// its stream's previous hash and compares it with the stored one, checks that every stream's
// revisions follow each other, and folds the log against every checkpoint of db, whose MACs it
// checks with key, and against every seal of opts.Expect. It stops at the first broken link.
func Verify(ctx context.Context, store eventstore.Store, db *pgxpool.Pool, key []byte, opts Options) (Report, error) {
	start := time.Now()
	page := opts.Page
	if page <= 0 {
		page = 5000
	}
	var rep Report
	done := func(b *Break) (Report, error) {
		rep.Broken, rep.OK = b, b == nil
		rep.Took = time.Since(start)
		rep.TookSeconds = rep.Took.Seconds()
		return rep, nil
	}
	if err := EnsureSchema(ctx, db); err != nil {
		return rep, err
	}
	src, err := openSource(ctx, store, db, opts.StreamTable)
	if err != nil {
		return rep, err
	}
	defer src.close(ctx)
	cps, err := allCheckpoints(ctx, src.q)
	if err != nil {
		return rep, err
	}
	for _, cp := range cps {
		if !cp.Valid(key) {
			return done(&Break{Position: cp.Position, Problem: ProblemCheckpointMAC,
				Detail: fmt.Sprintf("checkpoint at position %d (%d events) has a MAC that the key does not give", cp.Position, cp.Count)})
		}
	}
	exp, b := newExpectations(opts.Expect, key)
	if b != nil {
		return done(b)
	}
	streams := map[string]*streamState{}
	var fold Fold
	var hs chain.Hasher
	next, prevCP := 0, eventstore.Position(0)
	for {
		evs, more, err := src.page(ctx, fold.Position, page)
		if err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
		for i := range evs {
			ev := &evs[i]
			st := streams[ev.Stream]
			if st == nil {
				st = &streamState{}
				streams[ev.Stream] = st
			}
			at := func(problem, detail string) *Break {
				return &Break{Stream: ev.Stream, Revision: ev.Revision, Position: ev.Position, Problem: problem, Detail: detail}
			}
			if ev.Revision != st.next {
				return done(at(ProblemRevision, fmt.Sprintf("revision %d where %d was due", ev.Revision, st.next)))
			}
			if len(ev.Hash) != chain.Size {
				return done(at(ProblemMissingHash, "the event carries no chain hash"))
			}
			h := hs.Sum(st.last, chain.Event{Stream: ev.Stream, Revision: ev.Revision, ID: ev.ID, Type: ev.Type, Data: ev.Data, Metadata: ev.RawMetadata})
			if !bytes.Equal(h[:], ev.Hash) {
				return done(at(ProblemHash, fmt.Sprintf("stored hash %x, but content and previous hash give %s", ev.Hash, h)))
			}
			st.last, st.next = h, st.next+1
			// A checkpoint at a position below this event's that was not met exactly seals an
			// event that is gone.
			for next < len(cps) && cps[next].Position < min(ev.Position, ev.AuditPosition()) {
				cp := cps[next]
				return done(&Break{Stream: ev.Stream, Revision: ev.Revision, Position: cp.Position, After: prevCP, Problem: ProblemCheckpoint,
					Detail: fmt.Sprintf("checkpoint at position %d seals an event that is not in the log (deleted or moved)", cp.Position)})
			}
			if b := exp.before(ev); b != nil {
				return done(b)
			}
			fold.Add(ev)
			rep.Events++
			if b := exp.at(ev, &fold); b != nil {
				return done(b)
			}
			if next < len(cps) && (cps[next].Position == ev.Position || cps[next].Position == ev.AuditPosition()) {
				cp := cps[next]
				if cp.Count != fold.Count || cp.Hash != fold.Hash {
					return done(&Break{Stream: ev.Stream, Revision: ev.Revision, Position: cp.Position, After: prevCP, Problem: ProblemCheckpoint,
						Detail: fmt.Sprintf("checkpoint at position %d sealed %d events with chain %s; the log now has %d events with chain %s: an event in (%d, %d] was edited, inserted, deleted or reordered",
							cp.Position, cp.Count, cp.Hash, fold.Count, fold.Hash, prevCP, cp.Position)})
				}
				next++
				prevCP = cp.Position
				rep.Checkpoints++
				rep.CheckpointedThrough = cp.Position
			}
		}
		if opts.Progress != nil {
			opts.Progress(rep.Events)
		}
		if !more {
			break
		}
	}
	rep.Streams, rep.Head = len(streams), fold.Position
	if next < len(cps) {
		cp := cps[next]
		return done(&Break{Position: cp.Position, After: prevCP, Problem: ProblemCheckpointMissing,
			Detail: fmt.Sprintf("checkpoint at position %d seals %d events, but the log ends at position %d after %d events", cp.Position, cp.Count, fold.Position, fold.Count)})
	}
	if b := exp.end(&fold); b != nil {
		return done(b)
	}
	if opts.MinCheckpoint > rep.CheckpointedThrough {
		return done(&Break{Position: opts.MinCheckpoint, Problem: ProblemCoverage,
			Detail: fmt.Sprintf("checkpoints reach position %d, an earlier verification saw them reach %d: checkpoints were deleted", rep.CheckpointedThrough, opts.MinCheckpoint)})
	}
	if opts.StreamTable {
		b, err := checkStreamTable(ctx, src.q, streams)
		if err != nil || b != nil {
			if err != nil {
				return rep, err
			}
			return done(b)
		}
	}
	return done(nil)
}
