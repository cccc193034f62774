package httpx

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// ProblemContentType is the media type of problem documents (RFC 9457).
const ProblemContentType = "application/problem+json"

// ProblemTypeBase prefixes the code to form the problem's type URI.
const ProblemTypeBase = "urn:odata-pos:problem:"

// genericDetail is what a client sees of an unexpected error.
const genericDetail = "an unexpected error occurred; quote the request_id when reporting it"

// Problem is an RFC 9457 problem document with the stable code and request ID of this API.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	Code      string       `json:"code"`
	Errors    []FieldError `json:"errors,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

// MapFunc translates errors of another package (a domain rule error, say) into an *Error. It
// returns false for errors it does not know.
type MapFunc func(err error) (*Error, bool)

// Classify applies the one error → HTTP mapping (see the package doc) and returns the *Error
// that decides the response. It never returns nil for a non-nil err.
func Classify(err error, mappers ...MapFunc) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	for _, m := range mappers {
		if e, ok := m(err); ok && e != nil {
			if e.Err == nil {
				e.Err = err
			}
			return e
		}
	}
	if sc, ok := errors.AsType[StatusCoder](err); ok {
		return &Error{Kind: kindOf(sc.HTTPStatus()), Code: sc.Code(), Detail: sc.Error(), Err: err}
	}
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &Error{Kind: KindTooLarge, Code: "body_too_large",
			Detail: "the request body exceeds " + strconv.FormatInt(mbe.Limit, 10) + " bytes", Err: err}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: KindUnavailable, Code: "timeout", Detail: "the request timed out", Err: err}
	}
	return &Error{Kind: KindInternal, Code: "internal_error", Detail: genericDetail, Err: err}
}

// kindOf returns the kind whose status is status, KindInternal for unknown statuses.
func kindOf(status int) Kind {
	for k := KindInternal; k <= KindUnavailable; k++ {
		if k.Status() == status {
			return k
		}
	}
	return KindInternal
}

// NewProblem builds the problem document of e for request r.
func NewProblem(r *http.Request, e *Error) Problem {
	status := e.Kind.Status()
	detail := e.Detail
	if e.Kind == KindInternal {
		detail = genericDetail // never internals, whatever the error says
	}
	code := e.Code
	if code == "" {
		code = "error"
	}
	return Problem{
		Type:      ProblemTypeBase + code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  r.URL.Path,
		Code:      code,
		Errors:    e.Fields,
		RequestID: RequestIDFrom(r.Context()),
	}
}

// WriteProblem writes p, and Retry-After when retryAfter is positive.
func WriteProblem(w http.ResponseWriter, p Problem, retryAfter time.Duration) {
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("Cache-Control", "no-store")
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(ceilSeconds(retryAfter), 10))
	}
	writeJSONBody(w, p.Status, p)
}

// ceilSeconds rounds d up to whole seconds, at least 1.
func ceilSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}
