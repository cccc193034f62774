// Package money is exact money arithmetic: an int64 amount in minor units plus an ISO 4217
// currency, checked operations (overflow and currency mismatch are errors, never silent),
// rounding of exact rationals half-up or half-even, and allocation of an amount over weights
// that always sums back exactly (largest remainder). There is no floating point anywhere.
package money
