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

// Accepted is the answer to a command whose resource cannot be rendered after its append:
// the command succeeded, so the client still learns which resource and where its events
// landed (see AfterAppend).
type Accepted struct {
	ID string `json:"id"`
	Written
}

// AfterAppend answers a command that succeeded (res) with status and the body render returns.
// Nothing after a successful append may turn its answer into a 5xx: when render fails (a read
// of the resource failing, a state that cannot be rendered), the cause is logged and the
// client gets status with an Accepted body, so it does not retry a command that is done.
func AfterAppend(rs *httpx.Responder, w http.ResponseWriter, r *http.Request, status int, res commands.Result, id string, render func() (any, error)) {
	body, err := render()
	if err != nil {
		rs.Logger().WarnContext(r.Context(), "command succeeded but its resource could not be rendered; answered with its position",
			"stream", res.Stream, "revision", res.Revision, "position", uint64(res.Position), "error", err)
		body = Accepted{ID: id, Written: WrittenOf(res)}
	}
	Respond(rs, w, r, status, res, body)
}
