package httpx

import (
	"log/slog"
	"net"
	"net/http"
	"time"
)

// AccessLog logs one line per request: method, route template, path, status, duration,
// bytes, client address and user ID (request_id comes from the context). Inner layers report
// the route and user through SetRoute and SetUserID.
func AccessLog(log *slog.Logger) Middleware {
	log = Logger(log)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ctx, ri := withRequestInfo(r.Context())
			sw := wrapWriter(w)
			defer func() {
				route, user := ri.snapshot()
				level := slog.LevelInfo
				if sw.status >= 500 {
					level = slog.LevelError
				}
				log.LogAttrs(ctx, level, "http request",
					slog.String("method", r.Method),
					slog.String("route", route),
					slog.String("path", r.URL.Path),
					slog.Int("status", sw.status),
					slog.Duration("duration", time.Since(start)),
					slog.Int64("bytes", sw.bytes),
					slog.String("remote_ip", ClientIP(r)),
					slog.String("user_id", user),
				)
			}()
			next.ServeHTTP(sw, r.WithContext(ctx))
		})
	}
}

// ClientIP returns the IP address of the peer (r.RemoteAddr without the port). Forwarded
// headers are not trusted here; a proxy deployment must rewrite RemoteAddr in front of this.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
