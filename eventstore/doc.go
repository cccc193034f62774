// Package eventstore defines the event store that every write in O'Data POS goes through: the
// Store interface shared by the PostgreSQL backend (eventstore/pgstore) and the EventStoreDB
// backend (eventstore/esdb), the event envelope and its metadata, the codec that maps stable
// event type names to Go types (with upcasters for old versions), and the typed errors that
// callers check with errors.Is and errors.As.
//
// Semantics every backend guarantees (and eventstore/storetest proves):
//
//   - Streams are named "<category>-<id>"; revisions start at 0 and have no gaps.
//   - Append is atomic and conditional on an ExpectedRevision; a mismatch returns a
//     *WrongExpectedRevisionError carrying the actual revision.
//   - Appending events whose IDs were already appended at the same expected revision succeeds
//     and returns the original result without writing anything (idempotent append).
//   - $all is one log with strictly increasing positions. A reader or subscriber of $all never
//     skips a committed event and never sees an uncommitted one, even when writers commit out
//     of order. Reading "from" a position returns the events strictly after it, so the position
//     of the last event handled is a complete checkpoint.
package eventstore
