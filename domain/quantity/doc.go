// Package quantity is exact decimal quantities with at most three decimals (weighed goods in
// kilograms to the gram), held as int64 thousandths. Quantities are parsed from JSON numbers or
// strings digit by digit, never through float64, and rendered back in canonical form.
package quantity
