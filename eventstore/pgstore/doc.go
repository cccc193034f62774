// Package pgstore is the PostgreSQL backend of eventstore.Store (pgx v5). It is the default
// event store when no EventStoreDB is configured: one PostgreSQL serves a single shop or a
// small chain with nothing else to run.
//
// # Schema
//
// Open applies embedded, versioned migrations (goose, version table pos_eventstore_migrations,
// serialised between processes by an advisory lock); Migrate does the same alone. Tables:
// streams(stream_id, revision, deleted) and events(position, event_id, stream_id, revision,
// type, data, metadata, recorded_at). data and metadata are json, not jsonb, so the exact
// bytes appended are kept (tamper evidence hashes them); analysts cast to jsonb. Positions
// come from the sequence events_position_seq (CACHE 1) and start at 1; eventstore.Start is 0.
//
// # Tamper evidence
//
// Migration 0002 adds events.hash and streams.last_hash: append_events computes every event's
// hash in SQL (pos_event_hash, the encoding of eventstore/chain: SHA-256 over the previous hash
// of the stream and the event's stream, revision, ID, type and exact data and metadata bytes),
// still in the same single round trip (the first event of a new stream, whose hash depends on
// nothing stored, is hashed in Go by eventstore/chain itself: newstream.go); the migration hashed the events stored before it, in
// revision order. It also adds the indexes of the audit query layer (eventstore/audit): type,
// stream category (pos_stream_category), metadata user_id and occurred_at (pos_occurred_at),
// each with position, and a BRIN index on recorded_at. Reads fill RecordedEvent.Hash and
// RawMetadata.
//
// # Appends
//
// An append is one round trip in autocommit. In general it is SELECT FROM append_events(stream,
// expected, ids, types, data, metadata); the function locks the stream row (creating it when absent), answers
// an idempotent retry with the original result without writing, checks the expected revision,
// inserts the events with positions in revision order and returns a status row (ok,
// wrong_expected with the actual revision, deleted, duplicate_event_id) rather than raising.
// Appends to different streams never wait for each other. An append runs on the calling
// goroutine while no more than Options.DirectAppends appends are in flight, or
// Options.DirectOneEvent for an append of one event (no hand-off: PostgreSQL's own group
// commit serves a few concurrent commits well). Beyond that, appends
// are committed together: a few batcher goroutines each take every append waiting and run
// them in ONE statement (one transaction, one WAL flush), each append keeping its own
// outcome: single events to new streams in one plain multi-row statement (newStreamsSQL), the
// others by append_events once per append; appends are ordered by stream inside a batch so batches
// cannot deadlock, and a batch that fails as a whole is retried append by append (batch.go,
// Options.AppendBatchers). Migration 0003 lets a no-stream append create its stream first,
// skipping the idempotency lookup and two more index probes when the stream is new. Most
// appends skip PL/pgSQL, whose overhead was a third of an append's cost on the server, and
// hash their events in Go: appends to a new stream run alone are the same two INSERTs as one
// plain statement (newStreamSQL for one event, newStreamsSQL for several: newstream.go), and
// appends to a stream whose tip (last revision and hash) the store knows from its own appends
// or a read to the stream's end (tips.go; migration 0004 has append_events return the hash)
// are one plain UPDATE of the stream row guarded by that tip plus the INSERT of the events
// (knownappend.go; the batchers write all such appends of a batch in one statement). Each
// falls back to append_events when it wrote nothing (the stream exists, moved or is deleted,
// or an event ID is stored already), so append_events alone answers idempotent retries,
// conflicts and tombstones. An atomic call to several streams (eventstore.AtomicAppender, a
// one-shot sale's four steps) whose appends are all of those two plain kinds is one statement
// too (atomicOneSQL, atomic_one.go): it locks the existing streams by key in name order,
// creates the new ones, advances them and inserts every event, or writes nothing unless every
// guard holds; otherwise its appends run in one transaction (atomic.go).
//
// # Reading many streams
//
// ReadStreams (a command's whole history at once: a sale's store, register, shift, products,
// tax codes and sale) is one call of the function read_streams (migration 0005, read_streams.go)
// and so one snapshot. Its plan is made once per connection, generic from the first call, and
// its planner settings leave only key lookups and a nested loop, the plan that serves any
// table size: sent as a plain statement the read was planned at every call (planning cost
// more than running it), and a plan PostgreSQL caches the usual way is made from the table
// sizes of the moment (made while the tables were small, it scanned them whole once grown).
//
// # Plans
//
// pgx prepares every statement, and a connection keeps the generic plan PostgreSQL makes from
// a statement's sixth call on, costed with the table sizes of that moment. The store's
// connections therefore run with sequential scans, hash joins and merge joins disabled
// (keyLookupPlanner, planner.go, unless the database URL sets them): a plan made while streams
// and events were small still finds rows by key once they have grown
// (TestPlansMadeOnAnEmptyStoreFindRowsByKey). Migrations run without these settings.
//
// # Gap-free $all reads
//
// A sequence alone does not give a gap-free log: the append that took position 10 may commit
// after the one that took 11, so a reader that saw 11 and checkpointed it would skip 10 for
// good. Readers here deliver positions only while they are contiguous, or up to a bound below
// which every hole is proven dead, and stop at the first unproven hole. The proof uses
// PostgreSQL's own locks, not timers:
//
//  1. Every appender holds RowExclusiveLock on events from before it takes a position until
//     it commits or aborts. (The INSERT's relation lock is taken when the statement is
//     planned or its cached plan locked, before nextval runs in its executor; locks are
//     released only at transaction end, after the commit became visible.)
//  2. A prover reads, in one statement, max(position) = M under snapshot S and then, after S
//     was taken, the set V of transactions holding RowExclusiveLock on events.
//  3. Any transaction T that took a position p < M took it before the transaction that took M
//     did (sequence order, CACHE 1), which committed before S. So T held its lock from before
//     S on. If T is still running when V is read, T is in V; otherwise it has already ended.
//  4. The prover waits (polling pg_locks, 1 ms doubling to 20 ms) until no member of V holds
//     the lock any more. Every transaction that took a position <= M has now finished, and
//     its commit is visible to any later snapshot. A hole <= M that a later snapshot still
//     shows is dead forever: a rolled-back append, or a position taken by a failed insert.
//  5. The store records M as settled (an atomic high-water mark). A reader loads it before it
//     sends its query, so its snapshot is later than the proof and it may deliver any rows <=
//     settled regardless of holes; above settled it needs contiguity.
//
// One proof runs at a time per Store and serves every waiting reader. The checkpoint is the
// position alone, because nothing is ever delivered past an unproven hole: a resumed reader
// cannot skip. This is what the xid8 + pg_snapshot_xmin technique gets wrong unless its
// checkpoint is the (xid, position) pair; and because nothing here depends on transaction IDs,
// a logical dump and restore (pg_dump restores the sequence) keeps readers correct.
//
// Limits. Only appends in flight hold readers back; long transactions elsewhere in the
// database do not (unlike snapshot-xmin techniques). An append is one short function call in
// autocommit; the pool sets statement_timeout (Options.StatementTimeout, 30 s by default) so
// that no append can hold readers longer. A reader held back for Options.HoleWarnAfter logs a
// warning naming the blocking backends' pids and virtual transactions, and Options.OnHoleWait
// reports every wait for metrics. ReadAll and HeadPosition wait at most
// Options.ReadAllHoleWait and then return what is safe; subscriptions wait as long as it
// takes. Positions must only be taken by inserting into events (append_events and the plain
// append statements do): a position taken with a bare nextval and inserted later by another
// statement would not be covered by the proof. Polling pg_locks briefly takes the lock manager's partition locks,
// which is why the proof is shared and its polling backs off.
//
// HeadPosition returns the gap-free high-water mark (the highest position a reader can see
// with nothing missing below it), not merely max(position).
//
// # Subscriptions
//
// SubscribeAll runs one goroutine per subscription: catch-up by pages, then live. Wake-ups
// come from one shared LISTEN connection per Store (started with the first subscription), with
// polling every Options.PollInterval as the fallback. NOTIFY is not sent inside appends:
// PostgreSQL serialises the commits of notifying transactions, which would defeat group
// commit. Instead an append wakes the store's own subscriptions itself, and a notifier
// goroutine sends one coalesced pg_notify per millisecond at most, and only while another
// session listens (appends signal it only then, or when it is time to look again): a
// LISTEN connection holds a shared session advisory lock (0x706f7365, 1), which the notifier
// looks for in pg_locks once a second. A listener that appears is thus notified within about a
// second and polls meanwhile; nothing is lost either way. A lost connection (pg_terminate_backend, a restart) is retried with jittered
// exponential backoff capped at 5 s, resuming after the last position looked at.
//
// A woken subscription reads at most once per Options.WakeCoalesce (10 ms), and once per
// Options.BusyWakeCoalesce (50 ms) while its reads find the log growing by 1,000 positions a
// second or more over a quarter of a second (coalesce.go): each read wakes the subscription's
// consumers, and each commits what it made of it, so under load the reads, not the events,
// set much of the read side's cost. The wider window is paid in read-side lag; README
// (Benchmarks) has what each length measured.
package pgstore
