package httpx

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/google/uuid"
)

// Middleware wraps an http.Handler.
type Middleware func(http.Handler) http.Handler

// Chain wraps h with mws; the first middleware is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// RequestIDHeader is the header carrying the request ID, in and out.
const RequestIDHeader = "X-Request-ID"

// RequestID takes the client's X-Request-ID when it is a short token of safe characters,
// generates one (a UUID) otherwise, echoes it on the response and puts it in the context.
func RequestID() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get(RequestIDHeader)
			if !validRequestID(id) {
				id = uuid.NewString()
			}
			w.Header().Set(RequestIDHeader, id)
			next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
		})
	}
}

// validRequestID accepts 1 to 128 characters of [A-Za-z0-9._:-], so a client's ID cannot
// inject anything into logs or headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// Recover turns a panic in next into a 500 problem without internals; the panic value and
// stack are logged with the request ID. http.ErrAbortHandler is re-panicked as net/http
// expects. If the response had already started, the connection is aborted instead.
func Recover(rs *Responder) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sw := wrapWriter(w)
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				rs.log.ErrorContext(r.Context(), "panic serving request",
					slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
				if sw.wroteHeader {
					panic(http.ErrAbortHandler)
				}
				WriteProblem(sw, NewProblem(r, &Error{Kind: KindInternal, Code: "internal_error"}), 0)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// BodyLimit caps request bodies at limit bytes: a declared Content-Length over it is
// answered 413 at once, and reading past it fails with *http.MaxBytesError (which Decode and
// the Responder map to 413).
func BodyLimit(rs *Responder, limit int64) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > limit {
				rs.Error(w, r, tooLarge(limit))
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

// wrapWriter returns w wrapped in a statusWriter.
func wrapWriter(w http.ResponseWriter) *statusWriter {
	return &statusWriter{ResponseWriter: w, status: http.StatusOK}
}

// WriteHeader implements http.ResponseWriter.
func (sw *statusWriter) WriteHeader(code int) {
	if !sw.wroteHeader && code >= 200 {
		sw.status = code
		sw.wroteHeader = true
	}
	sw.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (sw *statusWriter) Write(b []byte) (int, error) {
	sw.wroteHeader = true
	n, err := sw.ResponseWriter.Write(b)
	sw.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// Flush implements http.Flusher when the underlying writer does.
func (sw *statusWriter) Flush() {
	sw.wroteHeader = true
	_ = http.NewResponseController(sw.ResponseWriter).Flush()
}
