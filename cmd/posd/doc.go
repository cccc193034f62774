// Command posd is the O'Data POS server: the HTTP API, the projection and policy workers and
// the integration event publisher (--role api|projector|publisher|all, default all; all runs
// the publisher only when POS_PUBLISH_URL is set), with /healthz, /readyz and /metrics.
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
// This package is wiring only: it opens the stores (internal/storage), builds the services
// (internal/services) and hands them to the packages that do the work. routes (routes.go) is
// where the API is mounted, and workers.go is where the projection, policy and publisher
// workers are started.
package main
