package money

import (
	"errors"
	"sort"
)

// ErrInvalidWeights: allocation weights are negative, overflow or all zero for a non-zero amount.
var ErrInvalidWeights = errors.New("money: invalid allocation weights")

// Allocate splits m over weights in proportion, by the largest-remainder method: each share is
// first rounded towards zero, then the units left over go one each to the shares with the
// largest remainders (earlier index first on ties). The shares always sum exactly to m and each
// share differs from its exact proportion by less than one minor unit. A zero weight gets a zero
// share. Weights must be non-negative; all-zero weights are allowed only for a zero amount.
func Allocate(m Money, weights []int64) ([]Money, error) {
	shares := make([]Money, len(weights))
	var total int64
	for _, w := range weights {
		if w < 0 || total+w < total {
			return nil, ErrInvalidWeights
		}
		total += w
	}
	for i := range shares {
		shares[i] = Zero(m.Currency)
	}
	if m.Amount == 0 {
		return shares, nil
	}
	if total == 0 {
		return nil, ErrInvalidWeights
	}
	neg := m.Amount < 0
	abs := uabs(m.Amount)
	type rem struct {
		i int
		r uint64
	}
	rems := make([]rem, 0, len(weights))
	var given uint64
	for i, w := range weights {
		q, r, ok := mulDivRem(abs, uint64(w), uint64(total))
		if !ok {
			return nil, ErrOverflow
		}
		shares[i].Amount = int64(q) //nolint:gosec // q ≤ abs ≤ 2^63
		given += q
		if w > 0 {
			rems = append(rems, rem{i, r})
		}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := uint64(0); k < abs-given; k++ {
		shares[rems[k].i].Amount++
	}
	if neg {
		for i := range shares {
			shares[i].Amount = -shares[i].Amount
		}
	}
	return shares, nil
}

// Portion returns the part of m that corresponds to taking part of whole, so that taking a
// whole in several parts always sums back to m exactly: it is round(m×(before+part)/whole) −
// round(m×before/whole), where before is what was taken already. Used for partial refunds.
func Portion(m Money, before, part, whole int64, mode RoundingMode) (Money, error) {
	if whole <= 0 || before < 0 || part < 0 || before+part > whole {
		return Money{}, ErrInvalidWeights
	}
	hi, err := MulDiv(m.Amount, before+part, whole, mode)
	if err != nil {
		return Money{}, err
	}
	lo, err := MulDiv(m.Amount, before, whole, mode)
	if err != nil {
		return Money{}, err
	}
	return Money{hi - lo, m.Currency}, nil
}
