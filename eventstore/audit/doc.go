// Package audit makes the event log provable to an auditor: keyed checkpoints over the whole
// of $all, verification of every stream's hash chain and of every checkpoint, and the query
// layer of the history API.
//
// # Stream chains
//
// Every event carries a hash chaining it to the previous event of its stream
// (eventstore/chain). Both backends compute it on append: PostgreSQL in SQL inside
// append_events, EventStoreDB in Go inside the adapter. Anyone can recompute these hashes, so
// they alone prove nothing against someone with write access to the database.
//
// # Checkpoints
//
// A checkpoint seals a prefix of $all: the table audit_checkpoints(position, event_count,
// chain_hash, mac, created_at) in PostgreSQL (for both backends: PostgreSQL always holds the
// read models). chain_hash folds every event in $all order:
//
//	c_0 = 32 zero bytes
//	c_k = SHA-256("pos.audit.fold.v1" ‖ c_{k-1} ‖ position ‖ recorded_at (Unix ns) ‖ event hash)
//
// covering what the stream chain does not (the position and the store's time), and
// mac = HMAC-SHA256(key, "pos.audit.checkpoint.v1" ‖ position ‖ event_count ‖ chain_hash),
// integers as 8-byte big-endian. Without the key nobody can write a checkpoint that verifies,
// so after editing, deleting, inserting or reordering any sealed event the fold no longer
// matches a MAC'd checkpoint. A Checkpointer (run by posd in the projector role) extends the
// checkpoints every few seconds, reading $all with the store's gap-free ReadAll. It trusts the
// table once, at start; then it extends only the seal it made or verified itself, and refuses
// to seal (SealError) when that seal is gone or the stored checkpoints no longer extend it.
// Every seal is published outside the database in a compact text form (Checkpoint.Seal: posd's
// log and the pos_audit_seal_info metric), which Options.Expect holds the log to.
//
// The key is POS_AUDIT_KEY when set, otherwise derived from the JWT signing key with HKDF
// (DeriveKey, label "odata-pos audit checkpoint key v1"), so that a deployment has one by
// default. Set POS_AUDIT_KEY explicitly before ever rotating the JWT key: checkpoints made
// with the old key would not verify under a key derived from the new one.
//
// # History queries
//
// Reader answers the history API: PGReader reads pgstore's events table (never past the
// store's gap-free head), StoreReader any Store through ReadAll with filters (EventStoreDB).
// The filter columns (type, category, user, store, occurred_at, recorded_at) are indexed in
// audit_event_index, which the Checkpointer (Index: true) fills page by page off the append
// path, so that appends pay only for their hash; events past its watermark (the last few
// seconds) are filtered on their JSON metadata.
//
// # Limits
//
// Events after the last checkpoint are protected only by their stream chains and, on
// PostgreSQL, by streams.last_hash: an attacker who appends a well-formed event, or deletes a
// stream's newest events and rewrites its streams row, before the next checkpoint is not
// detected. Checkpoints run every few seconds to keep that window short; the Report says how
// far checkpoints reach. Deleting checkpoint rows cannot forge anything, but a checkpointer
// that starts after the deletion (a restarted posd) trusts the table as it finds it and seals
// an edited history after the last remaining checkpoint: only a seal published before (Expect)
// or an earlier report's reach (Options.MinCheckpoint) shows it then. Verify reads pgstore's
// events, streams table and checkpoints in one snapshot; on EventStoreDB it reads through
// ReadAll (no streams table to compare).
package audit
