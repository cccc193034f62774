// Package projections turns the $all event log into PostgreSQL read models.
//
// The package root holds the machinery every read model shares: the [Runner], which per
// [Projection] subscribes to $all from the projection's checkpoint, batches events (by count and
// by time) and applies each batch in one PostgreSQL transaction that also moves the checkpoint,
// so a crash at any point neither loses nor doubles an effect. Read models themselves live in one
// subpackage each (projections/products, projections/sales, projections/reports, …) and only
// implement [Projection]: their schema ([Projection.Setup]), their fold ([Projection.Apply]) and
// their queries.
//
// # Workers
//
// Each projection is driven by one worker goroutine that must first win a session-level
// PostgreSQL advisory lock on a dedicated connection, so with several posd replicas a projection
// runs in exactly one of them; the others retry every [Config.PollInterval] and take over when the
// holder's connection drops. The worker applies its batches itself, one at a time, so the
// batches of one projection are applied strictly in order; a failed batch is retried with
// exponential backoff (a panic counts as a failure), and its time is the metric
// pos_projection_batch_duration_seconds. Every batch transaction first locks the projection's
// checkpoint row and checks that it still holds the position the batch starts from, which
// fences out a replica that lost its lock without knowing it.
//
// # Schemas
//
// A projection's tables live in a physical schema named "<name>__v<version>_g<generation>"
// (for example "reports__v3_g7"). Queries and analysts never name it: the runner keeps one view
// per table in a stable schema named after the projection ("reports.sales_by_day"), re-pointed in
// the same transaction that swaps generations. The table projection_checkpoints holds one row
// per generation: the live one and, during a rebuild, the one being built.
//
// # Rebuilds
//
// [Runner.Rebuild] (and a [Projection.Version] bump detected at start) creates the next
// generation beside the live one and replays $all from the start into it while queries keep
// reading the live views. When it has caught up, the live worker is paused, the new generation
// catches up to exactly the live checkpoint, and one transaction makes it live, re-points the
// views and drops the old schema. While a version bump rebuilds, the old generation is frozen
// (new code cannot apply events to the old tables), so it answers with growing lag until the swap.
//
// # Poison events
//
// A batch that fails is retried with backoff; if it still fails, its events are applied one at a
// time to find the one that cannot be applied. That event is parked (projection_parked), with
// the later events of its stream, and the projection goes on with every other stream; they show
// in [Runner.Status] and pos_projection_parked until [Runner.ReplayParked] applies them (once
// fixed) or [Runner.Skip] drops one (see park.go). Past Config.ParkLimit poison events the
// projection stops instead (others keep running), with the error and position in its checkpoint
// row and the pos_projection_failed metric, until [Runner.Skip] records the skipped position and
// restarts it after it.
//
// # Determinism
//
// Apply must be a pure fold of the events: no wall clock, no randomness, no reads of other
// read models; use event fields and metadata (OccurredAt, RecordedAt). A rebuild must produce
// the same tables as the live run did.
package projections
