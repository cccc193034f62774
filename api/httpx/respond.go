package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// JSON encodes v and writes it with status and Content-Type application/json. The body is
// encoded before anything is written, so on an encoding error nothing has been sent and the
// caller can still answer with a problem.
func JSON(w http.ResponseWriter, status int, v any) error {
	body, err := encode(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // a failed write means the client went away
	return nil
}

// NoContent writes 204 No Content.
func NoContent(w http.ResponseWriter) {
	w.WriteHeader(http.StatusNoContent)
}

// writeJSONBody writes v, which must be encodable, with status.
func writeJSONBody(w http.ResponseWriter, status int, v any) {
	body, err := encode(v)
	if err != nil {
		body = []byte(`{"title":"Internal Server Error","status":500,"code":"internal_error"}`)
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// encode marshals v without HTML escaping (responses are JSON, never HTML) plus a newline.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
