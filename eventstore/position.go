package eventstore

// Position is a place in $all. Positions are strictly increasing but not contiguous (the
// PostgreSQL store skips positions of rolled-back appends; EventStoreDB positions are byte
// offsets in its log). Start is before the first event.
type Position uint64

// Start is the position before the first event of $all.
const Start Position = 0

// Direction is the order of a stream read.
type Direction uint8

const (
	// Forwards reads from lower to higher revisions.
	Forwards Direction = iota
	// Backwards reads from higher to lower revisions.
	Backwards
)

// End, passed as the starting revision of a backwards read, starts at the stream's last event.
const End uint64 = ^uint64(0)
