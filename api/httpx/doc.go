// Package httpx holds the HTTP building blocks every API handler of O'Data POS shares:
// problem+json errors (RFC 9457) with the one mapping from errors to HTTP status, strict JSON
// request decoding, JSON response helpers, and the standard middleware (request ID, panic
// recovery, security headers, CORS, access log, body limit).
//
// # Errors
//
// Handlers return errors; a [Responder] turns every error into a problem document with one
// mapping, in this order:
//
//  1. an [*Error] anywhere in the chain (built with [BadRequest], [Invalid], [NotFound], …);
//  2. the [MapFunc]s registered with [NewResponder] by the composition root (this is how the
//     api package maps domain rule errors without httpx importing the domain);
//  3. an error implementing [StatusCoder] (Code() string and HTTPStatus() int);
//  4. *http.MaxBytesError → 413, context.DeadlineExceeded → 503;
//  5. anything else → 500 with a generic detail; the real error is logged with the request ID.
//
// The Detail of an *Error is shown to the client; its cause (Err) never is. Any 5xx is logged.
//
// Validation: a request the API cannot read is 400 (code "malformed_body", "unknown_field",
// "invalid_text", or "validation_failed" from [Invalid] with an errors list); the deciders'
// verdicts on a readable command, field problems included, are 422 (mapped in api/cmdhttp).
//
// # Middleware order
//
// The composition root should wrap the router like this (outermost first):
//
//	h := httpx.Chain(router,
//		httpx.RequestID(),
//		httpx.AccessLog(log),
//		httpx.Recover(rs),
//		httpx.SecurityHeaders(),
//		httpx.CORS(origins),
//		httpx.BodyLimit(rs, httpx.MaxBodyBytes),
//	)
//
// and log through [Logger] so that every line written with a request context carries the
// request_id attribute.
package httpx
