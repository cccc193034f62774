// Package projections turns the $all event log into PostgreSQL read models.
//
// The root holds what every read model shares: the [Runner] subscribes each [Projection] to
// $all from its checkpoint and applies the events in batches, each in one transaction that also
// moves the checkpoint, so a crash neither loses nor doubles an effect. A read model is one
// subpackage (catalog, stock, sales, returns, shifts, users, reports; readmodels lists the
// operational ones) implementing [Projection]: its schema, its fold and its queries.
//
// Invariants:
//   - One replica applies a projection at a time (an advisory lock; the checkpoint row fences
//     a replica that lost it).
//   - Tables live in a generation schema ("<name>__v<version>_g<generation>") behind stable
//     views named after the projection; [Runner.Rebuild] and a version bump build the next
//     generation beside the live one and swap it in one transaction.
//   - A projection's batches are applied in order by one worker, by direct calls; a failed
//     batch is retried with backoff (a panic counts as a failure).
//   - An event that cannot be applied is parked with its stream's later events (park.go); the
//     projection goes on with the other streams.
//   - Apply is a pure fold of the events (no clock, no randomness, no other read model), so a
//     rebuild produces the tables the live run did.
package projections
