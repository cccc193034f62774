package api

import (
	"github.com/odata-pos/pos/api/httpx"
)

// databaseUnreachable maps an error that unreachable recognises (a PostgreSQL that cannot be
// reached: refused, dropped, shutting down) to 503 database_unavailable on every route, reads
// included: the client did nothing wrong and the same request may succeed once the database
// is back. A nil unreachable maps nothing.
func databaseUnreachable(unreachable func(error) bool) httpx.MapFunc {
	return func(err error) (*httpx.Error, bool) {
		if unreachable == nil || !unreachable(err) {
			return nil, false
		}
		return httpx.Unavailable("database_unavailable", "the database is unavailable; retry later", err), true
	}
}
