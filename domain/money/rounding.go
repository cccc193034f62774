package money

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// RoundingMode says how an exact rational is rounded to a whole minor unit.
type RoundingMode string

// Rounding modes. HalfUp rounds halves away from zero (the default); HalfEven rounds halves to
// the even neighbour (banker's rounding).
const (
	HalfUp   RoundingMode = "half_up"
	HalfEven RoundingMode = "half_even"
)

// ErrInvalidRounding: an unknown rounding mode name.
var ErrInvalidRounding = errors.New("money: invalid rounding mode")

// ErrDivisionByZero: a rational with a zero denominator.
var ErrDivisionByZero = errors.New("money: division by zero")

// ParseRoundingMode accepts "half_up", "half_even" and "" (meaning HalfUp).
func ParseRoundingMode(s string) (RoundingMode, error) {
	switch RoundingMode(s) {
	case "", HalfUp:
		return HalfUp, nil
	case HalfEven:
		return HalfEven, nil
	}
	return "", fmt.Errorf("%w: %q", ErrInvalidRounding, s)
}

// Valid reports whether r is a known mode (the empty mode counts as HalfUp).
func (r RoundingMode) Valid() bool { _, err := ParseRoundingMode(string(r)); return err == nil }

// MulDiv returns a×b/d rounded in mode, computed exactly with a 128-bit intermediate. It fails
// with ErrOverflow when the rounded result does not fit in int64.
func MulDiv(a, b, d int64, mode RoundingMode) (int64, error) {
	if d == 0 {
		return 0, ErrDivisionByZero
	}
	neg := (a < 0) != (b < 0) != (d < 0)
	ud := uabs(d)
	q, r, ok := mulDivRem(uabs(a), uabs(b), ud)
	if !ok {
		return 0, ErrOverflow
	}
	// r < ud ≤ 2^63, so 2r fits in uint64.
	switch {
	case 2*r > ud, 2*r == ud && (mode != HalfEven || q%2 == 1):
		q++
	}
	return signed(q, neg && q != 0)
}

// FloorDivRem returns the quotient and remainder of a×b/d truncated towards zero, for
// non-negative a, b and positive d, computed exactly.
func FloorDivRem(a, b, d int64) (q, r int64, err error) {
	if a < 0 || b < 0 || d <= 0 {
		return 0, 0, errors.New("money: floor division needs non-negative operands")
	}
	uq, ur, ok := mulDivRem(uint64(a), uint64(b), uint64(d))
	if !ok || uq > math.MaxInt64 {
		return 0, 0, ErrOverflow
	}
	return int64(uq), int64(ur), nil
}

func mulDivRem(a, b, d uint64) (q, r uint64, ok bool) {
	hi, lo := bits.Mul64(a, b)
	if hi >= d {
		return 0, 0, false
	}
	q, r = bits.Div64(hi, lo, d)
	return q, r, true
}

func signed(q uint64, neg bool) (int64, error) {
	if neg {
		if q > 1<<63 {
			return 0, ErrOverflow
		}
		return int64(-q), nil //nolint:gosec // q ≤ 2^63 checked above
	}
	if q > math.MaxInt64 {
		return 0, ErrOverflow
	}
	return int64(q), nil
}
