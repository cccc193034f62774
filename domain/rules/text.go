package rules

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lengths of the text fields of commands, in characters.
const (
	// MaxCode bounds store, register and tax codes, SKUs and barcodes.
	MaxCode = 64
	// MaxName bounds names and categories.
	MaxName = 200
	// MaxReason bounds free-text reasons.
	MaxReason = 500
)

// Text records a problem with field when s is longer than max characters or holds a control
// character (which has no place in a code or a name, and NUL cannot be stored). Everything
// else, quotes and markup included, is kept verbatim. It reports whether s passed.
func (v *Validator) Text(field, s string, max int) bool {
	ok := true
	if utf8.RuneCountInString(s) > max {
		v.Add(field, fmt.Sprintf("must be at most %d characters", max))
		ok = false
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		v.Add(field, "must not contain control characters")
		ok = false
	}
	return ok
}

// Join returns err when it is an error other than a *ValidationError (a command refused for
// another reason, such as ErrNotFound); otherwise the problems of v followed by those of err
// on fields v has none for, or nil when there are none.
func (v *Validator) Join(err error) error {
	var verr *ValidationError
	if err != nil && !errors.As(err, &verr) {
		return err
	}
	if verr == nil {
		return v.Err()
	}
	seen := map[string]bool{}
	for _, f := range v.fields {
		seen[f.Field] = true
	}
	out := &ValidationError{Fields: append([]FieldError(nil), v.fields...)}
	for _, f := range verr.Fields {
		if !seen[f.Field] {
			out.Fields = append(out.Fields, f)
		}
	}
	return out
}
