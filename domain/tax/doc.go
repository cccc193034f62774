// Package tax computes sales tax per line and document totals. Rates are basis points
// (2100 = 21.00 %). Prices are either tax-inclusive (the tax is contained in the price) or
// tax-exclusive (the tax is added on top), per store. Tax is rounded per line in the store's
// rounding mode, and totals are sums of the rounded lines, so everything adds up to the cent:
//
//	total = Σ line amounts − discounts + exclusive tax = Σ line totals
package tax
