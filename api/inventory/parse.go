package inventory

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/domain/quantity"
)

// fields collects the field errors of a request body.
type fields []httpx.FieldError

// id parses an optional UUID (empty: uuid.Nil).
func (f *fields) id(name, s string) uuid.UUID {
	if s == "" {
		return uuid.Nil
	}
	u, err := uuid.Parse(s)
	if err != nil {
		*f = append(*f, httpx.FieldError{Field: name, Message: "must be a UUID"})
	}
	return u
}

// quantity parses a JSON number exactly (never through float64).
func (f *fields) quantity(name string, n json.Number) quantity.Quantity {
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

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return httpx.Invalid(f...)
}
