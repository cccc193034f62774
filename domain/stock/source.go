package stock

import "slices"

// sourceMark is how far the policy that writes movements of one kind (sales or returns) has
// come in this stream: the highest source position it recorded, and the IDs of the movements
// it recorded from the source at that position (a sale may have several lines of a product).
//
// A policy handles $all in order and writes a stream's movements in source order, each only
// after every earlier source was handled, so a movement from a source before the mark, or at
// it with a recorded ID, is already in the stream.
type sourceMark struct {
	Position uint64   `json:"position"`
	IDs      []string `json:"ids"`
	// Legacy is true when the stream's last movement of the kind carries no source position
	// (written before marks existed, or by an older replica): the mark then proves nothing
	// about the sources after it.
	Legacy bool `json:"legacy,omitempty"`
}

// sourced reports whether movements of kind come from a policy and carry source marks.
func sourced(kind string) bool { return kind == KindSale || kind == KindReturn }

// mark notes the movement e in s.
func (s *State) mark(e StockMoved) {
	if s.marks == nil {
		s.marks = map[string]sourceMark{}
	}
	m := s.marks[e.Kind]
	switch {
	case e.Source == 0:
		m.Legacy = true
	case e.Source > m.Position:
		m = sourceMark{Position: e.Source, IDs: []string{e.MovementID}}
	case e.Source == m.Position:
		m.IDs, m.Legacy = append(slices.Clone(m.IDs), e.MovementID), false
	default:
		m.Legacy = false
	}
	s.marks[e.Kind] = m
}

// Recorded reports whether the movement id of kind from the source event at position source
// is already in the stream, as far as the source marks tell; known is false when they cannot
// tell (the stream's last movement of the kind has no source position), and the caller must
// look for the movement among the events after its source.
func (s State) Recorded(kind, id string, source uint64) (recorded, known bool) {
	m := s.marks[kind]
	if m.Legacy {
		return false, false
	}
	return source < m.Position || source == m.Position && slices.Contains(m.IDs, id), true
}

// recordedBefore reports whether the source marks show the movement recorded (never for a
// command without a source).
func (s State) recordedBefore(kind, id string, source uint64) bool {
	recorded, known := s.Recorded(kind, id, source)
	return source != 0 && known && recorded
}
