package cmdhttp

import (
	"net/http"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
)

// Written is embedded in every command response: where the command's events landed. A client
// sends Position back in X-Consistent-With to read its own writes, and Revision in If-Match to
// make its next command conditional.
type Written struct {
	Revision uint64              `json:"revision"`
	Position eventstore.Position `json:"position"`
}

// WrittenOf returns the Written of a command result.
func WrittenOf(res commands.Result) Written {
	return Written{Revision: res.Revision, Position: res.Position}
}

// Respond writes body with status and the ETag of res's revision. A replayed command answers
// as the original did (same status), so a client retry cannot tell the difference.
func Respond(rs *httpx.Responder, w http.ResponseWriter, r *http.Request, status int, res commands.Result, body any) {
	if res.Exists {
		w.Header().Set(HeaderETag, ETag(res.Revision))
	}
	rs.JSON(w, r, status, body)
}
