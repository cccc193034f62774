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

// SumOutOfRangeError is a query whose sums do not fit a 64-bit integer (PostgreSQL's
// numeric_value_out_of_range, 22003, when a sum(bigint) is cast back to bigint). Amounts are
// bounded (money.MaxAmount), so only a range of some 10^8 documents at the bound gets here; it
// answers 422 sum_out_of_range (it implements the api's StatusCoder), never a 500.
type SumOutOfRangeError struct {
	What string
	Err  error
}

// Error implements error.
func (e *SumOutOfRangeError) Error() string {
	return e.What + ": a sum exceeds the 64-bit range; narrow the period or the stores"
}

// Unwrap returns the driver's error.
func (e *SumOutOfRangeError) Unwrap() error { return e.Err }

// Code is the problem code: sum_out_of_range.
func (e *SumOutOfRangeError) Code() string { return "sum_out_of_range" }

// HTTPStatus is 422: the query is well-formed, its answer does not fit.
func (e *SumOutOfRangeError) HTTPStatus() int { return 422 }

// Translate maps driver errors of a query to the package's errors: an undefined table or
// schema (the projection never ran) becomes ErrNotReady, a sum beyond bigint a
// *SumOutOfRangeError. Other errors are wrapped.
func Translate(what string, err error) error {
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pgErr.Code {
		case "42P01", "3F000":
			return fmt.Errorf("%s: %w", what, ErrNotReady)
		case "22003":
			return &SumOutOfRangeError{What: what, Err: err}
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}
