// Package queries serves the list routes of the read side from the operational read models
// (projections/readmodels): stores, registers, tax codes, products, stock levels, sales and
// their lines, returns, shifts with their X/Z figures, and users.
//
// Every list answers {"items": [...], "next_cursor": "…"} with keyset pagination (limit
// default 50, at most 500; cursor from the previous page; sort by a declared key, "-" for
// descending). Filters are query parameters; an unknown parameter or an invalid value is a 400
// validation_failed problem naming the parameter. Store-bound data is filtered to the caller's
// stores unless the caller spans every store; asking for another store explicitly is 403
// store_forbidden.
//
// A request with X-Consistent-With: <position> is answered only once the read model has applied
// that position of $all (read-your-writes after a command); after ConsistencyTimeout (5 s) it is
// a 503 consistency_timeout problem.
package queries
