// Package api mounts the HTTP API: every route area under /api/v1, over the services
// internal/services built (codec, command handlers, credentials, projections control), behind
// authentication and the per-user rate limit. Mount builds only the HTTP layer's own parts
// (tokens, approvals, limiters, the authorizer, idempotency replays, the error mapping).
// cmd/posd mounts it beside the ops endpoints; api/apitest mounts it on a fresh database to
// drive the real API.
package api
