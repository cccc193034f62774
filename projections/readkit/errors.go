package readkit

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// FilterError is an invalid list parameter (filter, sort, limit or cursor).
type FilterError struct {
	// Field is the query parameter, e.g. "store_id".
	Field string
	// Message says what is wrong with it.
	Message string
}

// Error implements error.
func (e *FilterError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

// Invalid returns a *FilterError for field.
func Invalid(field, message string) *FilterError { return &FilterError{Field: field, Message: message} }

// ErrNotReady is returned by queries when the read model's views do not exist yet (its
// projection has never been set up in this database).
var ErrNotReady = errors.New("read model is not ready")

// translate maps driver errors of a query to the package's errors: an undefined table or
// schema (the projection never ran) becomes ErrNotReady. Other errors are wrapped.
func translate(what string, err error) error {
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && (pgErr.Code == "42P01" || pgErr.Code == "3F000") {
		return fmt.Errorf("%s: %w", what, ErrNotReady)
	}
	return fmt.Errorf("%s: %w", what, err)
}
