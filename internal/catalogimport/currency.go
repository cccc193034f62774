package catalogimport

import (
	"fmt"

	"golang.org/x/text/currency"
)

// currencyScale is the number of decimals of an ISO 4217 currency (its minor units).
func currencyScale(code string) (int, error) {
	u, err := currency.ParseISO(code)
	if err != nil {
		return 0, fmt.Errorf("currency %q: %w", code, err)
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale, nil
}
