// Command posd is the O'Data POS server: the HTTP API and the projection workers (--role
// api|projector|all, default all), with /healthz, /readyz and /metrics on the same listener.
//
// It is configured through POS_* environment variables (and optionally a .env-style file given
// with --config); see internal/config and README.md. At start it creates the PostgreSQL
// database if it does not exist yet, opens the event store (PostgreSQL, applying its
// migrations, or EventStoreDB when POS_ESDB_URL is set) and connects Redis when configured
// (optional: posd runs degraded without it). SIGTERM or SIGINT stop it gracefully: it stops
// accepting connections, lets requests in flight finish within POS_SHUTDOWN_TIMEOUT, stops the
// workers, then closes its stores. A second signal ends it at once.
//
// Exit codes: 0 after a clean shutdown (or -h), 1 on a failure, 2 on a bad configuration (every
// problem is listed on stderr).
//
// This package is wiring only: it builds the dependencies and hands them to the packages that
// do the work. routes (routes.go) is where the API of the other packages is mounted, and
// projectors (workers.go) is where the projection workers are started.
package main
