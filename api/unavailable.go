package api

import (
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/internal/pgerr"
)

// databaseUnreachable maps a PostgreSQL that cannot be reached (refused, dropped, shutting
// down) to 503 database_unavailable on every route, reads included: the client did nothing
// wrong and the same request may succeed once the database is back.
func databaseUnreachable(err error) (*httpx.Error, bool) {
	if !pgerr.Unreachable(err) {
		return nil, false
	}
	return httpx.Unavailable("database_unavailable", "the database is unavailable; retry later", err), true
}
