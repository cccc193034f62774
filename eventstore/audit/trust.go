package audit

import (
	"context"
	"fmt"
)

// Problems a Checkpointer reports when it refuses to seal (SealError.Problem, OnProblem).
const (
	// SealMissing: the newest seal the checkpointer made or verified is gone from
	// audit_checkpoints (checkpoints were deleted or rolled back).
	SealMissing = "seal_missing"
	// SealDiverges: a stored checkpoint does not extend the checkpointer's seal (its fold of
	// the log from that seal gives another chain hash, or the checkpoint names an event
	// that is not in the log).
	SealDiverges = "seal_diverges"
	// SealForged: a stored checkpoint the checkpointer would extend has a wrong MAC.
	SealForged = "seal_forged"
)

// SealError is a Checkpointer's refusal to seal: the checkpoints in the database no longer
// extend the seal it trusts. Sealing on would let whoever changed them have the key seal a
// history that the trusted seal does not cover; an operator must find out what happened
// (`posctl audit verify --expect` with Trusted's Seal) and restart the checkpointer.
type SealError struct {
	Problem string     // SealMissing, SealDiverges or SealForged
	Trusted Checkpoint // the newest seal the checkpointer made or verified
	Detail  string
}

func (e *SealError) Error() string {
	if e.Trusted.Position == 0 {
		return fmt.Sprintf("audit checkpointer refuses to seal: %s (%s)", e.Detail, e.Problem)
	}
	return fmt.Sprintf("audit checkpointer refuses to seal: %s (%s); the last seal it trusts is %s", e.Detail, e.Problem, e.Trusted.Seal())
}

// Unwrap makes a forged checkpoint match ErrCheckpointForged.
func (e *SealError) Unwrap() error {
	if e.Problem == SealForged {
		return ErrCheckpointForged
	}
	return nil
}

// start sets the seal the checkpointer trusts on its first run: the newest stored checkpoint,
// which must verify under the key (the zero seal of the empty log when there is none).
func (c *Checkpointer) start(ctx context.Context, cps *Checkpoints) error {
	if c.trusted != nil {
		return nil
	}
	last, found, err := cps.Latest(ctx)
	if err != nil {
		return err
	}
	if found && !last.Valid(c.Key) {
		return c.refuse(SealForged, Checkpoint{}, fmt.Sprintf("%v: position %d", ErrCheckpointForged, last.Position))
	}
	c.trust(last)
	return nil
}

// trust makes cp the seal the checkpointer extends.
func (c *Checkpointer) trust(cp Checkpoint) {
	c.trusted = &cp
	if c.OnSeal != nil && cp.Position > 0 {
		c.OnSeal(cp)
	}
}

// storedSince returns the stored checkpoints after the trusted seal, once it has checked that
// the trusted seal, and the one trusted when the previous run began (so that a deletion during
// that run, before it stored a newer seal, is noticed too), are still stored unchanged and
// that none of the newer ones is forged.
func (c *Checkpointer) storedSince(ctx context.Context, cps *Checkpoints) ([]Checkpoint, error) {
	t := *c.trusted
	anchors := []Checkpoint{t}
	if c.anchor != nil && c.anchor.Position > 0 && c.anchor.Position < t.Position {
		anchors = []Checkpoint{*c.anchor, t}
	}
	stored, err := cps.From(ctx, anchors[0].Position)
	if err != nil {
		return nil, err
	}
	for _, a := range anchors {
		if a.Position == 0 {
			break
		}
		for len(stored) > 0 && stored[0].Position < a.Position {
			stored = stored[1:] // made or verified by the previous run
		}
		switch {
		case len(stored) == 0 || stored[0].Position != a.Position:
			highest := "none is left"
			if top, found, err := cps.Latest(ctx); err == nil && found {
				highest = fmt.Sprintf("the highest stored is at position %d", top.Position)
			}
			return nil, c.refuse(SealMissing, t, fmt.Sprintf("the checkpoint at position %d that this checkpointer made or verified is gone from audit_checkpoints (%s): checkpoints were deleted or rolled back", a.Position, highest))
		case !stored[0].same(a):
			return nil, c.refuse(SealDiverges, t, fmt.Sprintf("the checkpoint stored at position %d is not the one this checkpointer made or verified there", a.Position))
		}
		stored = stored[1:]
	}
	for _, cp := range stored {
		if !cp.Valid(c.Key) {
			return nil, c.refuse(SealForged, t, fmt.Sprintf("%v: position %d", ErrCheckpointForged, cp.Position))
		}
	}
	c.anchor = &t
	return stored, nil
}

// checkStored compares the stored checkpoints still ahead (pending) with the fold that has
// just added an event: a checkpoint at its position must seal the same chain (it is then
// trusted), and none may lie between the previous event and this one.
func (c *Checkpointer) checkStored(pending []Checkpoint, f *Fold) ([]Checkpoint, error) {
	for len(pending) > 0 && pending[0].Position <= f.Position {
		cp := pending[0]
		if cp.Position < f.Position {
			return nil, c.refuse(SealDiverges, *c.trusted, fmt.Sprintf("the checkpoint at position %d seals an event that is not in the log after the trusted seal", cp.Position))
		}
		if cp.Count != f.Count || cp.Hash != f.Hash {
			return nil, c.refuse(SealDiverges, *c.trusted, fmt.Sprintf("the checkpoint at position %d seals %d events with chain %s, but the log folded on from the trusted seal gives %d events with chain %s", cp.Position, cp.Count, cp.Hash, f.Count, f.Hash))
		}
		c.trust(cp)
		pending = pending[1:]
	}
	return pending, nil
}

// refuse reports problem to OnProblem and returns it as a *SealError.
func (c *Checkpointer) refuse(problem string, trusted Checkpoint, detail string) error {
	if c.OnProblem != nil {
		c.OnProblem(problem)
	}
	return &SealError{Problem: problem, Trusted: trusted, Detail: detail}
}
