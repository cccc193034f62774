// Package pgerr classifies PostgreSQL driver errors at the edge, so that code above the
// adapters (the HTTP error mapping, say) can tell "the database is unreachable" from a bug
// without inspecting pgconn types itself.
package pgerr
