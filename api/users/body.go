package users

import (
	"bufio"
	"errors"
	"io"
	"net/http"

	"github.com/odata-pos/pos/api/httpx"
)

// decodeOptional decodes r's body into v with httpx.Decode's strict rules when there is one,
// and leaves v as it is when the body is empty (no Content-Type needed then).
func decodeOptional(r *http.Request, v any) error {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil
	}
	// A chunked body has no length: look at its first byte.
	br := bufio.NewReader(r.Body)
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return nil
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return httpx.Decode(r, v)
}
