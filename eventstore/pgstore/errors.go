package pgstore

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/pgerr"
)

// unavailable translates a driver error at the adapter edge: failures to reach or keep the
// server (network, connection killed, server shutting down) become eventstore.ErrUnavailable
// with the driver's message as text only, so that no pgconn type leaks to callers. Context
// errors and nil pass through; other server errors keep their message.
func unavailable(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, eventstore.ErrUnavailable) {
		return err
	}
	if isConnectionError(err) {
		return fmt.Errorf("%w: %s", eventstore.ErrUnavailable, err.Error())
	}
	return fmt.Errorf("postgres: %s", err.Error())
}

// isConnectionError reports whether err means the server could not be reached or the
// connection was lost, so that retrying on a new connection may succeed.
func isConnectionError(err error) bool {
	if _, ok := errors.AsType[*pgconn.PgError](err); ok { // the server answered: its SQLSTATE says
		return pgerr.Unreachable(err)
	}
	var scanErr pgx.ScanArgError
	if errors.As(err, &scanErr) {
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr), pgconn.SafeToRetry(err), pgconn.Timeout(err):
		return true
	}
	// Anything else pgx reports without a server error is a broken or closed connection
	// (unexpected EOF, "conn closed", a failed TLS read).
	return true
}

// pgCode returns the SQLSTATE of a server error, or "".
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// pgConstraint returns the constraint named by a server error, or "".
func pgConstraint(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName
	}
	return ""
}
