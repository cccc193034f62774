// Package api is the HTTP API's composition: it builds the services the route areas need (the
// event codec, the command handler, tokens, approvals, limiters, the error mapping) and mounts
// every area under /api/v1 behind authentication and the per-user rate limit. cmd/posd mounts
// it beside the ops endpoints; tests mount it on a fresh database to drive the real API.
package api
