package auth

import (
	"errors"

	"github.com/odata-pos/pos/api/httpx"
)

// Errors of the token, password and approval services. MapError maps them to HTTP.
var (
	// ErrTokenInvalid is a malformed, forged, wrongly signed or otherwise unacceptable token.
	ErrTokenInvalid = errors.New("invalid token")
	// ErrTokenExpired is an access token past its expiry.
	ErrTokenExpired = errors.New("token expired")
	// ErrTokenRevoked is an access token revoked by logout or by refresh-token reuse.
	ErrTokenRevoked = errors.New("token revoked")
	// ErrRefreshInvalid is an unknown, expired or revoked refresh token.
	ErrRefreshInvalid = errors.New("invalid refresh token")
	// ErrRefreshReused is a refresh token presented after it was rotated; its whole family
	// is revoked.
	ErrRefreshReused = errors.New("refresh token reused")
	// ErrUnavailable means the operation needs Redis and Redis is down or disabled.
	ErrUnavailable = errors.New("session store unavailable")
	// ErrInvalidCredentials is a wrong username or password (the two are not told apart).
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrApprovalInvalid is an unknown, expired, used or mismatched approval token.
	ErrApprovalInvalid = errors.New("invalid approval token")
	// ErrApprovalRequired is a command that needs an approval token and has none.
	ErrApprovalRequired = errors.New("manager approval required")
	// ErrAccessUnavailable means a user's current access could not be read (PostgreSQL is
	// down); the request is refused rather than trusted on the token alone.
	ErrAccessUnavailable = errors.New("user access unavailable")
	// ErrUnknownAction is an approval for an action that does not exist.
	ErrUnknownAction = errors.New("unknown approval action")
)

// MapError maps the errors of this package to HTTP problems; register it with
// httpx.NewResponder. It implements httpx.MapFunc.
func MapError(err error) (*httpx.Error, bool) {
	switch {
	case errors.Is(err, ErrTokenExpired):
		return httpx.Unauthorized("token_expired", "the access token has expired"), true
	case errors.Is(err, ErrTokenRevoked):
		return httpx.Unauthorized("token_revoked", "the access token has been revoked"), true
	case errors.Is(err, ErrTokenInvalid):
		return httpx.Unauthorized("token_invalid", "the access token is invalid"), true
	case errors.Is(err, ErrRefreshReused):
		return httpx.Unauthorized("refresh_token_reused", "the refresh token was already used; the session has been revoked"), true
	case errors.Is(err, ErrRefreshInvalid):
		return httpx.Unauthorized("refresh_token_invalid", "the refresh token is invalid or expired"), true
	case errors.Is(err, ErrInvalidCredentials):
		return httpx.Unauthorized("invalid_credentials", "wrong username or password"), true
	case errors.Is(err, ErrApprovalRequired):
		return httpx.Forbidden("approval_required", "this action needs a manager's approval (X-Approval-Token)"), true
	case errors.Is(err, ErrApprovalInvalid):
		return httpx.Forbidden("approval_invalid", "the approval token is invalid, used, expired or for another action"), true
	case errors.Is(err, ErrUnknownAction):
		return httpx.Invalid(httpx.FieldError{Field: "action", Message: "unknown action"}), true
	case errors.Is(err, ErrAccessUnavailable):
		return httpx.Unavailable("access_unavailable", "the user's access cannot be checked right now; retry later", err), true
	case errors.Is(err, ErrUnavailable):
		return httpx.Unavailable("session_store_unavailable", "sessions cannot be refreshed right now; log in again or retry later", err), true
	}
	return nil, false
}

// asHTTP returns the *httpx.Error of err when MapError knows it, err otherwise, so this
// package's handlers answer correctly even if the Responder was built without MapError.
func asHTTP(err error) error {
	if e, ok := MapError(err); ok {
		if e.Err == nil {
			e.Err = err
		}
		return e
	}
	return err
}
