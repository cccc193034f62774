package httpx

import (
	"net/http"
	"time"
)

// Kind classifies an error for the HTTP mapping; each kind has exactly one status.
type Kind int

// The error kinds and the status each maps to.
const (
	KindInternal             Kind = iota // 500
	KindBadRequest                       // 400
	KindUnauthorized                     // 401
	KindForbidden                        // 403
	KindNotFound                         // 404
	KindConflict                         // 409
	KindPreconditionFailed               // 412
	KindTooLarge                         // 413
	KindUnsupportedMediaType             // 415
	KindUnprocessable                    // 422
	KindTooManyRequests                  // 429
	KindUnavailable                      // 503
)

// Status returns the HTTP status code of the kind.
func (k Kind) Status() int {
	switch k {
	case KindBadRequest:
		return http.StatusBadRequest
	case KindUnauthorized:
		return http.StatusUnauthorized
	case KindForbidden:
		return http.StatusForbidden
	case KindNotFound:
		return http.StatusNotFound
	case KindConflict:
		return http.StatusConflict
	case KindPreconditionFailed:
		return http.StatusPreconditionFailed
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case KindUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case KindUnprocessable:
		return http.StatusUnprocessableEntity
	case KindTooManyRequests:
		return http.StatusTooManyRequests
	case KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// FieldError describes one invalid field of a request body or query.
type FieldError struct {
	// Field is the JSON path of the field, e.g. "lines[0].quantity".
	Field string `json:"field"`
	// Message says what is wrong with it.
	Message string `json:"message"`
}

// Error is an error that knows how it is shown over HTTP. Detail is shown to the client;
// Err, the cause, is only logged.
type Error struct {
	Kind       Kind
	Code       string
	Detail     string
	Fields     []FieldError
	RetryAfter time.Duration
	Err        error
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Code
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// StatusCoder is implemented by errors (of any package) that carry a stable code and their
// HTTP status; the Responder maps them without knowing their type.
type StatusCoder interface {
	error
	Code() string
	HTTPStatus() int
}

// BadRequest returns a 400 error with the given code and detail.
func BadRequest(code, detail string) *Error {
	return &Error{Kind: KindBadRequest, Code: code, Detail: detail}
}

// Invalid returns a 400 "validation_failed" error listing the invalid fields.
func Invalid(fields ...FieldError) *Error {
	return &Error{Kind: KindBadRequest, Code: "validation_failed", Detail: "the request has invalid fields", Fields: fields}
}

// Unauthorized returns a 401 error.
func Unauthorized(code, detail string) *Error {
	return &Error{Kind: KindUnauthorized, Code: code, Detail: detail}
}

// Forbidden returns a 403 error.
func Forbidden(code, detail string) *Error {
	return &Error{Kind: KindForbidden, Code: code, Detail: detail}
}

// NotFound returns a 404 error.
func NotFound(code, detail string) *Error {
	return &Error{Kind: KindNotFound, Code: code, Detail: detail}
}

// Conflict returns a 409 error.
func Conflict(code, detail string) *Error {
	return &Error{Kind: KindConflict, Code: code, Detail: detail}
}

// PreconditionFailed returns a 412 error.
func PreconditionFailed(code, detail string) *Error {
	return &Error{Kind: KindPreconditionFailed, Code: code, Detail: detail}
}

// Unprocessable returns a 422 error, the status of a broken business rule.
func Unprocessable(code, detail string) *Error {
	return &Error{Kind: KindUnprocessable, Code: code, Detail: detail}
}

// TooManyRequests returns a 429 error; the response carries Retry-After.
func TooManyRequests(retryAfter time.Duration) *Error {
	return &Error{Kind: KindTooManyRequests, Code: "rate_limited", Detail: "too many requests, retry later", RetryAfter: retryAfter}
}

// Unavailable returns a 503 error; cause is logged, never shown.
func Unavailable(code, detail string, cause error) *Error {
	return &Error{Kind: KindUnavailable, Code: code, Detail: detail, Err: cause}
}
