package api

import (
	"log/slog"
	"net/http"

	"github.com/odata-pos/pos/api/httpx"
)

// Handler wraps router (the API and the ops endpoints) in the middleware every request goes
// through, outermost first: request ID, access log, panic recovery, security headers, CORS
// from the configured origins only, and the 1 MiB body limit. Authentication and rate limiting
// are applied by Mount on the /api/v1 routes.
func Handler(router http.Handler, rs *httpx.Responder, log *slog.Logger, corsOrigins []string) http.Handler {
	return httpx.Chain(router,
		httpx.RequestID(),
		httpx.AccessLog(log),
		httpx.Recover(rs),
		httpx.SecurityHeaders(),
		httpx.CORS(corsOrigins),
		httpx.BodyLimit(rs, httpx.MaxBodyBytes),
	)
}
