// Package store is the store aggregate: a shop of the chain with its currency, time zone and
// the settings every other aggregate consults (tax-inclusive prices, tax rounding, whether stock
// may go negative, cashier limits, cash tolerance). A store is also a stock location. Registers
// are their own aggregate (package register).
package store
