// Package chain defines, once, the tamper-evidence hash chain of the event store: each event
// carries hash_r = SHA-256(Encode(hash_{r-1}, event)), where hash_{-1} is 32 zero bytes and the
// canonical encoding is length-prefixed, so that no two different events encode alike.
//
// Canonical encoding (all integers unsigned 64-bit big-endian; "lp(x)" is len(x) then x):
//
//	"pos.chain.v1" ‖ prev (32 bytes) ‖ lp(stream) ‖ revision ‖ event id (16 bytes)
//	‖ lp(type) ‖ lp(data) ‖ lp(metadata)
//
// data and metadata are the exact bytes stored (the JSON text as appended), never a
// re-encoding. The PostgreSQL backend computes the same bytes in SQL (function
// pos_event_hash in eventstore/pgstore's migration 0002) and a test proves both agree.
//
// The EventStoreDB backend computes hashes in Go and stores an event's hash inside its JSON
// user metadata under the reserved key MetadataKey, appended as the last member. The
// canonical encoding covers the metadata without that member: SplitMetadata removes it
// exactly, byte for byte, and JoinMetadata adds it.
package chain
