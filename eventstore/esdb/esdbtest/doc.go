// Package esdbtest is an in-process EMULATOR of the EventStoreDB gRPC API for tests.
//
// THIS IS A TEST DOUBLE ONLY. It is not EventStoreDB, it is not durable (everything lives in
// memory), it implements only the part of the API that EventStore-Client-Go v4 uses for
// appends, reads, catch-up subscriptions and deletes, and it must never be used outside tests.
// It exists because no EventStoreDB server can run on the project's development and CI
// machines; the real client library talks real gRPC over TCP to it, so the adapter in
// eventstore/esdb is exercised end to end. Whenever ESDB_URL names a real server, the adapter's
// tests also run against that server, which remains the reference.
//
// What it emulates (services event_store.client.streams.Streams and
// event_store.client.server_features.ServerFeatures):
//
//   - Append: expected revision checks (any, no stream, stream exists, exact), the
//     WrongExpectedVersion response with the current revision or "no stream", idempotent
//     appends by event ID (the same IDs at the same expected revision succeed and return the
//     original result), "stream-deleted" errors for tombstoned streams.
//   - Read: stream reads forwards and backwards (StreamNotFound for a missing stream, a
//     "stream-deleted" error for a tombstoned one); $all reads forwards (inclusive of the given
//     position) and backwards (exclusive), with optional stream or event type filters (prefixes
//     or a regular expression); catch-up subscriptions to $all and to streams: confirmation,
//     history, a caught-up message, then live events, with checkpoints when filtered.
//   - Stream metadata: the last "$metadata" event of "$$<stream>" ($maxAge, $maxCount, $tb)
//     hides events from stream reads and stream subscriptions as the server's index reader
//     does; a stream whose events are all hidden still exists (reads answer with no events).
//     $all keeps them (the emulator never scavenges).
//   - Delete (soft, writes a "$metadata" event with "$tb") and Tombstone (writes a
//     "$streamDeleted" event into the stream at revision math.MaxInt64, as the server does).
//   - GetSupportedMethods, which the client calls when it connects.
//
// $all is one log whose positions grow like byte offsets; every event's commit position equals
// its prepare position, as in EventStoreDB 20 and later for single-stream appends. The server
// writes system events ("$"-prefixed types in "$"-prefixed streams) when it starts and, with
// Options.SystemEventEvery, between user events, so that clients' system-event filters are
// exercised.
//
// EventStore-Client-Go's own integration tests run against the emulator through
// scripts/esdb-client-suite.sh (its fixture and the list of tests that need what the emulator
// deliberately lacks are in testdata/client-suite).
//
// Test controls: DropConnections aborts every running streaming call with codes.Unavailable
// (subscriptions then see a dropped subscription and must resubscribe), Options.AppendDelay
// slows appends down, and Close stops the server.
package esdbtest
