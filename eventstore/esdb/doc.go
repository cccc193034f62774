// Package esdb is the EventStoreDB (KurrentDB) backend of eventstore.Store, built on
// EventStore-Client-Go v4 over gRPC.
//
// Mapping of the eventstore contract onto EventStoreDB:
//
//   - Streams, revisions and expected revisions map one to one (Any, NoStream, StreamExists,
//     Exact → esdb.Any, esdb.NoStream, esdb.StreamExists, esdb.Revision). A wrong expected
//     version becomes a *eventstore.WrongExpectedRevisionError carrying the stream's actual
//     revision as the server reported it.
//   - An event's ID is EventStoreDB's event ID, so the server's own idempotency by event ID
//     gives the contract's idempotent append. Data is stored as JSON, eventstore.Metadata as the
//     event's JSON user metadata, and RecordedAt is the server's created time of the event.
//   - eventstore.Position is the event's commit position in $all. Since EventStoreDB 20 an
//     event appended to one stream has commit position == prepare position, so the commit
//     position alone identifies it and reading "after p" uses esdb.Position{Commit: p,
//     Prepare: p}. Positions are byte offsets in the server's log: strictly increasing, not
//     contiguous. They are assigned when an append commits, so a reader never sees a later
//     position before an earlier one.
//   - System events (types and streams starting with "$", which the server writes itself, such
//     as $statsCollection or $streamDeleted) are never returned. Subscriptions filter on the
//     server (by stream prefix, type prefix, or the exclude-system-events filter) and again on
//     the client, because the server filters on stream or on type but not both.
//   - Reads of $all use the client's unfiltered ReadAll and filter on the client in batches
//     (the client library offers no server-side filter for reads).
//   - A subscription is a catch-up subscription to $all run by one goroutine. When the server
//     drops it or the connection fails, it resubscribes after the last event it delivered,
//     with jittered exponential backoff, so events are neither lost nor repeated.
//   - Tombstone is EventStoreDB's hard delete: the stream can never be written again and
//     reading it fails with eventstore.ErrStreamDeleted; its events stay in $all.
//   - Duplicate event IDs are detected by the server only within one stream (that is its
//     idempotency check), so this backend never returns eventstore.ErrDuplicateEventID for an
//     ID reused in another stream.
//   - Tamper evidence: the server cannot compute the hash chain of eventstore/chain, so
//     Append does: it reads the stream's last event (its revision and hash; for Any and
//     StreamExists the 32 newest events, to recognise a retried append as the server's own
//     idempotency check does), checks the caller's expected revision against it, computes each
//     new event's hash in Go and appends conditionally on exactly that revision, starting over
//     when a concurrent append got in between. An append is thus a read plus a conditional
//     append. The hash is stored inside the event's JSON user metadata as the reserved last
//     member "$chain" (hex), which the hash itself excludes (chain.SplitMetadata restores the
//     exact bytes); reads return it in RecordedEvent.Hash and the metadata without it in
//     RecordedEvent.RawMetadata. Events written before chaining (or by other tools) have no
//     hash: eventstore/audit.Verify reports them.
//   - Restore (eventstore.Restorer, posctl restore): the server assigns positions and created
//     times, so a restored event keeps its original position and recorded time in the reserved
//     metadata member "$origin" (origin.go), written just before "$chain" and, like it, not
//     covered by the hash nor returned in RawMetadata. Reads return the original time as
//     RecordedAt and the original position as OriginPosition, which the audit fold uses.
//   - Stream metadata ($maxAge, $maxCount, $tb) is never written by this package. If another
//     tool sets it, the server hides the stream's older events from reads but keeps counting
//     them; when the last event is hidden, Append fails with ErrHiddenByMetadata instead of
//     retrying, because the chain cannot continue without it.
//
// Tests run against the in-process emulator in eventstore/esdb/esdbtest, and against a real
// server when ESDB_URL is set. scripts/esdb-client-suite.sh checks the emulator itself with
// EventStore-Client-Go's own integration tests.
package esdb
