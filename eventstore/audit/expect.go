package audit

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/odata-pos/pos/eventstore"
)

// expectations are the seals of Options.Expect still ahead of Verify's walk, in position order.
type expectations []Checkpoint

// newExpectations sorts seals by position, or returns the break of the first whose MAC the
// key does not give (a mistyped seal, or one that this deployment never made).
func newExpectations(seals []Checkpoint, key []byte) (expectations, *Break) {
	out := slices.Clone(seals)
	slices.SortFunc(out, func(a, b Checkpoint) int { return cmp.Compare(a.Position, b.Position) })
	for _, s := range out {
		if !s.Valid(key) {
			return nil, &Break{Position: s.Position, Problem: ProblemExpectedMAC,
				Detail: fmt.Sprintf("the expected seal %s has a MAC that the key does not give: it was mistyped or not made with this deployment's key", s.Seal())}
		}
	}
	return out, nil
}

// before breaks when an expected seal lies between the previous event and ev: the event it
// sealed is gone from the log. A seal names an event by its position in the store that sealed
// it: the audit position for a seal made before a restore, the position for one made after.
func (x *expectations) before(ev *eventstore.RecordedEvent) *Break {
	if len(*x) > 0 && (*x)[0].Position < min(ev.Position, ev.AuditPosition()) {
		s := (*x)[0]
		return &Break{Stream: ev.Stream, Revision: ev.Revision, Position: s.Position, Problem: ProblemExpected,
			Detail: fmt.Sprintf("the expected seal at position %d names an event that is not in the log (deleted or moved): the log does not extend %s", s.Position, s.Seal())}
	}
	return nil
}

// at breaks when an expected seal at ev's position does not match the fold that has just
// added ev.
func (x *expectations) at(ev *eventstore.RecordedEvent, f *Fold) *Break {
	for len(*x) > 0 && ((*x)[0].Position == f.Position || (*x)[0].Position == f.AuditPosition) {
		s := (*x)[0]
		if s.Count != f.Count || s.Hash != f.Hash {
			return &Break{Stream: ev.Stream, Revision: ev.Revision, Position: s.Position, Problem: ProblemExpected,
				Detail: fmt.Sprintf("the expected seal at position %d sealed %d events with chain %s; the log now has %d events with chain %s: an event at or before position %d was edited, inserted, deleted or reordered since %s was published",
					s.Position, s.Count, s.Hash, f.Count, f.Hash, s.Position, s.Seal())}
		}
		*x = (*x)[1:]
	}
	return nil
}

// end breaks when the log ended before an expected seal.
func (x *expectations) end(f *Fold) *Break {
	if len(*x) == 0 {
		return nil
	}
	s := (*x)[0]
	return &Break{Position: s.Position, Problem: ProblemExpected,
		Detail: fmt.Sprintf("the expected seal at position %d sealed %d events, but the log ends at position %d after %d events: sealed events were deleted", s.Position, s.Count, f.Position, f.Count)}
}
