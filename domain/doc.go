// Package domain is the pure write-side model of O'Data POS: value types (money, quantities,
// tax) and the aggregates (store, register, tax code, product, shift, sale, return, stock,
// transfer, reservation). Every aggregate is a pure decider:
//
//	func Decide(s State, c Command, now time.Time) ([]Event, error)
//	func Evolve(s State, e Event) State
//
// Nothing under domain performs I/O, reads the clock or draws random numbers: the commands
// layer loads state, passes the current time and client-generated IDs in, and appends the
// returned events. Domain packages import only the standard library and github.com/google/uuid.
package domain
