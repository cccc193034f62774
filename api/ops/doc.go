// Package ops serves the operational endpoints of posd, outside /api/v1:
//
//   - GET /healthz: liveness. 200 as long as the process serves HTTP; it checks nothing else,
//     so an orchestrator restarts posd only when it is wedged, never because a database is down.
//   - GET /readyz: readiness. Runs every Checker (event store, PostgreSQL, Redis) concurrently
//     and answers JSON with each one's state and latency: 200 when every required dependency is
//     up ("ready", or "degraded" when an optional one such as Redis is down), 503
//     ("unavailable") when a required one is down.
//   - GET /metrics: Prometheus exposition of the registry posd built (never the global one).
//
// Instrument wraps the router to measure every request (pos_http_request_duration_seconds by
// method, route template and code), and Readiness.Watch re-checks the dependencies in the
// background so that pos_dependency_up and a log line follow a dependency going down or
// coming back even when nobody polls /readyz.
package ops
