// Package taxcode is the tax code aggregate: a named rate in basis points ("VAT_HIGH", 2100)
// with its history of rate changes, so that a line added at a given time takes the rate then in
// force.
package taxcode
