package httpx

import (
	"log/slog"
	"net/http"
	"time"
)

// HandlerFunc is an HTTP handler that returns its error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Responder writes errors as problem documents with the one mapping of [Classify] and the
// mappers registered by the composition root, and logs server-side failures.
type Responder struct {
	log     *slog.Logger
	mappers []MapFunc
}

// NewResponder returns a Responder that logs to log and tries mappers (in order) on errors
// that are not already an *Error.
func NewResponder(log *slog.Logger, mappers ...MapFunc) *Responder {
	return &Responder{log: Logger(log), mappers: mappers}
}

// UnavailableRetryAfter is the Retry-After of a 503 whose error names no delay of its own.
const UnavailableRetryAfter = 2 * time.Second

// Error writes err as a problem document. A 5xx is logged with the request ID and its cause;
// every 503 carries Retry-After.
func (rs *Responder) Error(w http.ResponseWriter, r *http.Request, err error) {
	p, e := rs.problem(r, err)
	retry := e.RetryAfter
	if p.Status == http.StatusServiceUnavailable && retry <= 0 {
		retry = UnavailableRetryAfter
	}
	WriteProblem(w, p, retry)
}

// Problem returns err as the problem document Error would write, for a response that holds
// several outcomes (a batch's items). A 5xx is logged as by Error.
func (rs *Responder) Problem(r *http.Request, err error) Problem {
	p, _ := rs.problem(r, err)
	return p
}

func (rs *Responder) problem(r *http.Request, err error) (Problem, *Error) {
	e := Classify(err, rs.mappers...)
	p := NewProblem(r, e)
	if p.Status >= 500 {
		rs.log.ErrorContext(r.Context(), "request failed",
			"status", p.Status, "code", p.Code, "method", r.Method, "path", r.URL.Path, "error", err)
	}
	return p, e
}

// Handle adapts h to http.Handler, writing its error with rs.
func (rs *Responder) Handle(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			rs.Error(w, r, err)
		}
	})
}

// JSON writes v as a JSON response with status; an encoding failure becomes a 500 problem.
func (rs *Responder) JSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	if err := JSON(w, status, v); err != nil {
		rs.Error(w, r, err)
	}
}

// Logger returns the responder's logger (request-ID aware).
func (rs *Responder) Logger() *slog.Logger { return rs.log }
