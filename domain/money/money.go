package money

import (
	"errors"
	"fmt"
	"math"
)

// Errors returned by money operations.
var (
	// ErrOverflow: the result does not fit in int64 minor units.
	ErrOverflow = errors.New("money: amount overflows")
	// ErrCurrencyMismatch: the operands have different currencies.
	ErrCurrencyMismatch = errors.New("money: currency mismatch")
	// ErrInvalidCurrency: the currency is not three upper-case letters.
	ErrInvalidCurrency = errors.New("money: invalid currency code")
)

// Money is an amount in minor units (cents) of an ISO 4217 currency. Its JSON form is
// {"amount":1999,"currency":"EUR"}. The zero value has no currency and is only a placeholder.
type Money struct {
	// Amount is in minor units of Currency.
	Amount int64 `json:"amount"`
	// Currency is an ISO 4217 code such as "EUR".
	Currency string `json:"currency"`
}

// New returns amount minor units of currency.
func New(amount int64, currency string) Money { return Money{Amount: amount, Currency: currency} }

// Zero returns zero in currency.
func Zero(currency string) Money { return Money{Currency: currency} }

// ValidCurrency reports whether c looks like an ISO 4217 code (three upper-case letters).
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := range 3 {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// Validate checks the currency code.
func (m Money) Validate() error {
	if !ValidCurrency(m.Currency) {
		return fmt.Errorf("%w: %q", ErrInvalidCurrency, m.Currency)
	}
	return nil
}

// String renders the amount with two decimals and the currency, for logs and messages only.
func (m Money) String() string {
	a := m.Amount
	sign := ""
	if a < 0 {
		sign = "-"
	}
	u := uabs(a)
	return fmt.Sprintf("%s%d.%02d %s", sign, u/100, u%100, m.Currency)
}

// IsZero reports whether the amount is zero (whatever the currency).
func (m Money) IsZero() bool { return m.Amount == 0 }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.Amount < 0 }

// IsPositive reports whether the amount is above zero.
func (m Money) IsPositive() bool { return m.Amount > 0 }

// SameCurrency reports whether m and o share a currency.
func (m Money) SameCurrency(o Money) bool { return m.Currency == o.Currency }

func (m Money) check(o Money) error {
	if m.Currency != o.Currency {
		return fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	return nil
}

// Add returns m + o.
func (m Money) Add(o Money) (Money, error) {
	if err := m.check(o); err != nil {
		return Money{}, err
	}
	s := m.Amount + o.Amount
	if (s > m.Amount) != (o.Amount > 0) {
		return Money{}, ErrOverflow
	}
	return Money{s, m.Currency}, nil
}

// Sub returns m − o.
func (m Money) Sub(o Money) (Money, error) {
	if err := m.check(o); err != nil {
		return Money{}, err
	}
	d := m.Amount - o.Amount
	if (d < m.Amount) != (o.Amount > 0) {
		return Money{}, ErrOverflow
	}
	return Money{d, m.Currency}, nil
}

// Neg returns −m.
func (m Money) Neg() (Money, error) {
	if m.Amount == math.MinInt64 {
		return Money{}, ErrOverflow
	}
	return Money{-m.Amount, m.Currency}, nil
}

// Mul returns m × n.
func (m Money) Mul(n int64) (Money, error) {
	p, err := MulDiv(m.Amount, n, 1, HalfUp)
	if err != nil {
		return Money{}, err
	}
	return Money{p, m.Currency}, nil
}

// Cmp compares m and o: −1, 0 or +1. The currencies must match.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.check(o); err != nil {
		return 0, err
	}
	switch {
	case m.Amount < o.Amount:
		return -1, nil
	case m.Amount > o.Amount:
		return 1, nil
	}
	return 0, nil
}

// Min returns the smaller of m and o (same currency assumed; m's currency is kept).
func (m Money) Min(o Money) Money {
	if o.Amount < m.Amount {
		return Money{o.Amount, m.Currency}
	}
	return m
}

// Max returns the larger of m and o (m's currency is kept).
func (m Money) Max(o Money) Money {
	if o.Amount > m.Amount {
		return Money{o.Amount, m.Currency}
	}
	return m
}

// Sum adds amounts that must all be in currency.
func Sum(currency string, ms ...Money) (Money, error) {
	t := Zero(currency)
	for _, m := range ms {
		var err error
		if t, err = t.Add(m); err != nil {
			return Money{}, err
		}
	}
	return t, nil
}

// PercentBP returns bp basis points of m (2100 = 21 %), rounded in mode.
func (m Money) PercentBP(bp int64, mode RoundingMode) (Money, error) {
	a, err := MulDiv(m.Amount, bp, 10000, mode)
	if err != nil {
		return Money{}, err
	}
	return Money{a, m.Currency}, nil
}

func uabs(a int64) uint64 {
	if a < 0 {
		return uint64(-(a + 1)) + 1
	}
	return uint64(a)
}
