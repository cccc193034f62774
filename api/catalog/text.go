package catalog

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/odata-pos/pos/domain/rules"
)

// Lengths of text fields, in characters.
const (
	maxCode   = 64  // store, register and tax codes, SKUs, barcodes
	maxName   = 200 // names and categories
	maxReason = 500
	// maxBarcodes bounds the barcodes of one product.
	maxBarcodes = 32
)

// checkText records a problem with field when s is longer than max characters or holds a
// control character (which has no place in a code or a name, and NUL cannot be stored).
// Everything else, quotes and markup included, is kept verbatim.
func checkText(v *rules.Validator, field, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		v.Add(field, fmt.Sprintf("must be at most %d characters", max))
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		v.Add(field, "must not contain control characters")
	}
}

// invalid returns the API's field problems together with the domain's (domainErr, the
// decider's verdict on the command), each field once, or nil when v found nothing.
func invalid(v *rules.Validator, domainErr error) error {
	var out *rules.ValidationError
	if !errors.As(v.Err(), &out) {
		return nil
	}
	seen := map[string]bool{}
	for _, f := range out.Fields {
		seen[f.Field] = true
	}
	if d := (*rules.ValidationError)(nil); errors.As(domainErr, &d) {
		for _, f := range d.Fields {
			if !seen[f.Field] {
				out.Fields = append(out.Fields, f)
			}
		}
	}
	return out
}
