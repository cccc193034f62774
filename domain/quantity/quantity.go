package quantity

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/odata-pos/pos/domain/money"
)

// Scale is the number of thousandths in one unit.
const Scale = 1000

// Errors returned when parsing or computing quantities.
var (
	// ErrSyntax: the text is not a decimal number.
	ErrSyntax = errors.New("quantity: not a decimal number")
	// ErrTooPrecise: the number has more than three decimals.
	ErrTooPrecise = errors.New("quantity: more than 3 decimals")
	// ErrRange: the number does not fit.
	ErrRange = errors.New("quantity: out of range")
)

// Quantity is a decimal quantity in thousandths: 1500 is 1.5. Its JSON form is a number.
type Quantity int64

// FromInt returns n whole units.
func FromInt(n int64) Quantity { return Quantity(n * Scale) }

// FromMilli returns m thousandths.
func FromMilli(m int64) Quantity { return Quantity(m) }

// Milli returns q in thousandths.
func (q Quantity) Milli() int64 { return int64(q) }

// IsWhole reports whether q has no fractional part.
func (q Quantity) IsWhole() bool { return q%Scale == 0 }

// IsPositive reports whether q is above zero.
func (q Quantity) IsPositive() bool { return q > 0 }

// Add returns q + o.
func (q Quantity) Add(o Quantity) (Quantity, error) {
	s := q + o
	if (s > q) != (o > 0) {
		return 0, ErrRange
	}
	return s, nil
}

// Sub returns q − o.
func (q Quantity) Sub(o Quantity) (Quantity, error) {
	d := q - o
	if (d < q) != (o > 0) {
		return 0, ErrRange
	}
	return d, nil
}

// Neg returns −q.
func (q Quantity) Neg() Quantity { return -q }

// Parse reads a decimal such as "2", "1.5", "-0.125" or "1.5e2" exactly. A value that is not a
// whole number of thousandths is rejected with ErrTooPrecise (trailing zeros do not count).
func Parse(s string) (Quantity, error) {
	orig := s
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrSyntax)
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 100 || e < -100 {
			return 0, fmt.Errorf("%w: %q", ErrSyntax, orig)
		}
		mant, exp = s[:i], e
	}
	intPart, frac, hasDot := strings.Cut(mant, ".")
	if (intPart == "" && frac == "") || (hasDot && frac == "" && intPart == "") || !digits(intPart) || !digits(frac) {
		return 0, fmt.Errorf("%w: %q", ErrSyntax, orig)
	}
	all := strings.TrimLeft(intPart+frac, "0")
	scale := len(frac) - exp // value = all × 10^-scale
	// Drop trailing zeros, which do not add precision.
	for scale > 0 && strings.HasSuffix(all, "0") {
		all, scale = all[:len(all)-1], scale-1
	}
	if all == "" {
		return 0, nil
	}
	if scale > 3 {
		return 0, fmt.Errorf("%w: %q", ErrTooPrecise, orig)
	}
	shift := 3 - scale // multiply by 10^shift
	if len(all)+shift > 19 {
		return 0, fmt.Errorf("%w: %q", ErrRange, orig)
	}
	v, err := strconv.ParseInt(all+strings.Repeat("0", shift), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrRange, orig)
	}
	if neg {
		v = -v
	}
	return Quantity(v), nil
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MustParse is Parse for constants in tests and examples; it panics on error.
func MustParse(s string) Quantity {
	q, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return q
}

// String renders q canonically: no exponent, no trailing zeros, no trailing dot ("1.5", "2",
// "-0.125").
func (q Quantity) String() string {
	v := int64(q)
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign = "-"
		u = uint64(-(v + 1)) + 1
	}
	whole, frac := u/Scale, u%Scale
	if frac == 0 {
		return sign + strconv.FormatUint(whole, 10)
	}
	f := strings.TrimRight(fmt.Sprintf("%03d", frac), "0")
	return sign + strconv.FormatUint(whole, 10) + "." + f
}

// MarshalJSON renders q as a JSON number.
func (q Quantity) MarshalJSON() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalJSON reads a JSON number (or a string holding one) exactly.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = str
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// FromNumber parses a json.Number exactly.
func FromNumber(n json.Number) (Quantity, error) { return Parse(n.String()) }

// MulMoney returns price × q rounded to a minor unit in mode.
func MulMoney(price money.Money, q Quantity, mode money.RoundingMode) (money.Money, error) {
	a, err := money.MulDiv(price.Amount, int64(q), Scale, mode)
	if err != nil {
		return money.Money{}, err
	}
	return money.New(a, price.Currency), nil
}
