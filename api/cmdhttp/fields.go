package cmdhttp

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/domain/quantity"
)

// Fields collects the field errors of a request body while its values are parsed, so that one
// answer lists every invalid field at once.
type Fields []httpx.FieldError

// ID parses an optional UUID (empty: uuid.Nil); a malformed one is recorded against name.
func (f *Fields) ID(name, s string) uuid.UUID {
	if s == "" {
		return uuid.Nil
	}
	u, err := uuid.Parse(s)
	if err != nil {
		*f = append(*f, httpx.FieldError{Field: name, Message: "must be a UUID"})
	}
	return u
}

// Quantity parses a required JSON number exactly (never through float64).
func (f *Fields) Quantity(name string, n json.Number) quantity.Quantity {
	if n == "" {
		*f = append(*f, httpx.FieldError{Field: name, Message: "is required"})
		return 0
	}
	q, err := quantity.FromNumber(n)
	if err != nil {
		*f = append(*f, httpx.FieldError{Field: name, Message: "must be a number with at most 3 decimals"})
	}
	return q
}

// Err returns a 400 validation problem listing the recorded fields, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return httpx.Invalid(f...)
}
