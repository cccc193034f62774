package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/rs/cors"
)

// SecurityHeaders sets the hardening headers of an API that serves JSON only:
// X-Content-Type-Options nosniff, X-Frame-Options DENY, a Content-Security-Policy that allows
// nothing, Referrer-Policy no-referrer, and HSTS when the request came over TLS.
func SecurityHeaders() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Resource-Policy", "same-origin")
			if r.TLS != nil {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CORS allows cross-origin calls from exactly the given origins (POS_CORS_ORIGINS) through
// github.com/rs/cors. With no origins it adds nothing: browsers then refuse cross-origin calls.
// Credentials (cookies) are never allowed; the API authenticates with bearer tokens.
func CORS(origins []string) Middleware {
	if len(origins) == 0 {
		// rs/cors treats an empty list as "*"; no configured origin must mean none.
		return func(next http.Handler) http.Handler { return next }
	}
	c := cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
			http.MethodPatch, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match",
			"X-Request-ID", "X-Approval-Token", "X-Consistent-With"},
		ExposedHeaders: []string{"ETag", "Location", "Retry-After", "X-Request-ID",
			"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"},
		MaxAge: 600,
	})
	return c.Handler
}

// ValidateOrigins checks a configured origin list: each must be an http or https origin
// (scheme and host, no path, query or wildcard). It reports every bad entry at once.
func ValidateOrigins(origins []string) error {
	var errs []error
	for _, o := range origins {
		u, err := url.Parse(o)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("cors origin %q: %w", o, err))
		case u.Scheme != "http" && u.Scheme != "https":
			errs = append(errs, fmt.Errorf("cors origin %q: scheme must be http or https", o))
		case u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
			errs = append(errs, fmt.Errorf("cors origin %q: must be scheme://host[:port] only", o))
		}
	}
	return errors.Join(errs...)
}
