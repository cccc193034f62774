package monitoring

import (
	"net/http"
	"strings"
)

// Route classes: the "class" label of pos_http_request_duration_seconds, so that the recording
// rules and SLO alerts aggregate like with like (monitoring/prometheus/rules).
const (
	// ClassCommands are the API's writes (POST, PUT, PATCH, DELETE) outside auth.
	ClassCommands = "commands"
	// ClassQueries are the API's reads (GET, HEAD) outside auth, reports and audit.
	ClassQueries = "queries"
	// ClassReports are the analysts' reports (/api/v1/reports/…) and the audit routes
	// (/api/v1/audit/…): long reads over much data, with their own latency.
	ClassReports = "reports"
	// ClassAuth is /api/v1/auth/… (login, refresh, logout, approvals, password): login
	// hashes the password with argon2 on purpose, so it is slow and has its own objective.
	ClassAuth = "auth"
	// ClassOps are /healthz, /readyz and /metrics: probes and scrapes, never in an SLO.
	ClassOps = "ops"
	// ClassOther is anything else, e.g. a path that matched no route.
	ClassOther = "other"
)

// apiPrefix is the versioned API's base path (api.Prefix; this package cannot import api).
const apiPrefix = "/api/v1/"

// opsRoutes are the operational endpoints' route templates (api/ops).
var opsRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// RouteClass returns the class of a request from its method and route template.
func RouteClass(method, route string) string {
	switch {
	case opsRoutes[route]:
		return ClassOps
	case !strings.HasPrefix(route, apiPrefix):
		return ClassOther
	case strings.HasPrefix(route, apiPrefix+"auth/"):
		return ClassAuth
	case strings.HasPrefix(route, apiPrefix+"reports/"), strings.HasPrefix(route, apiPrefix+"audit/"):
		return ClassReports
	case method == http.MethodGet || method == http.MethodHead:
		return ClassQueries
	case method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch || method == http.MethodDelete:
		return ClassCommands
	default:
		return ClassOther
	}
}
