package httpx

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text problems. PostgreSQL stores neither a NUL byte nor invalid UTF-8 in text or jsonb, so
// such input is refused at the edge with a 400 naming where it was, never passed on to fail
// as a 5xx deep inside.
const (
	msgNUL     = "must not contain a NUL byte"
	msgInvalid = "must be valid UTF-8"
)

// badText returns the message for s, or "" when s is fine.
func badText(s string) string {
	switch {
	case !utf8.ValidString(s):
		return msgInvalid
	case strings.IndexByte(s, 0) >= 0:
		return msgNUL
	}
	return ""
}

// textError is the 400 "invalid_text" error for field.
func textError(field, msg string) *Error {
	return &Error{Kind: KindBadRequest, Code: "invalid_text", Detail: field + " " + msg,
		Fields: []FieldError{{Field: field, Message: msg}}}
}

// printable makes a parameter name that is itself bad text safe to quote back.
func printable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", `\u0000`)
}

// ValidText is middleware that refuses with 400 "invalid_text" a request holding a NUL byte
// or invalid UTF-8 in a path variable (vars returns them, e.g. mux.Vars), a query parameter
// (name or value), or one of headers; the error names the variable, parameter or header.
// JSON bodies are checked by Decode.
func ValidText(rs *Responder, vars func(*http.Request) map[string]string, headers ...string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if e := checkRequestText(r, vars, headers); e != nil {
				rs.Error(w, r, e)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// checkRequestText returns the first text problem of r outside its body (in name order, so
// the answer is the same every time), or nil.
func checkRequestText(r *http.Request, vars func(*http.Request) map[string]string, headers []string) *Error {
	if vars != nil {
		vs := vars(r)
		for _, name := range slices.Sorted(maps.Keys(vs)) {
			if msg := badText(vs[name]); msg != "" {
				return textError(name, msg)
			}
		}
	}
	query := r.URL.Query()
	for _, name := range slices.Sorted(maps.Keys(query)) {
		vs := query[name]
		if msg := badText(name); msg != "" {
			return textError(printable(name), msg)
		}
		for _, v := range vs {
			if msg := badText(v); msg != "" {
				return textError(name, msg)
			}
		}
	}
	for _, h := range headers {
		for _, v := range r.Header.Values(h) {
			if msg := badText(v); msg != "" {
				return textError(h, msg)
			}
		}
	}
	return nil
}

// checkBodyText returns a 400 naming the first string (member name or value) of the JSON
// document body that holds a NUL byte (written \u0000) or invalid UTF-8, or nil. encoding/json
// would replace invalid UTF-8 silently and decode \u0000 into the string, so the raw text is
// checked; the walk runs only when a cheap scan finds a suspect. A body that is not valid JSON
// is left to the decoder.
func checkBodyText(body []byte) *Error {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u0000`)) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var w pathWalker
	start := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			// The end of the body, or a body that is not JSON: the decoder reports the latter.
			return nil //nolint:nilerr // no string with bad text was found
		}
		end := dec.InputOffset()
		raw := body[start:end]
		start = end
		field := w.step(tok)
		if s, ok := tok.(string); ok {
			msg := ""
			if !utf8.Valid(raw) {
				msg = msgInvalid
			} else if strings.IndexByte(s, 0) >= 0 {
				msg = msgNUL
			}
			if msg != "" {
				return textError(field, msg)
			}
		}
	}
}

// pathWalker follows a JSON token stream and names where each token is, in the API's field
// notation: lines[0].name.
type pathWalker struct{ stack []frame }

// frame is an open object or array.
type frame struct {
	array     bool
	index     int
	key       string
	expectKey bool
}

// step takes the next token and returns the path of the value (or member name) it is.
func (w *pathWalker) step(tok json.Token) string {
	if n := len(w.stack); n > 0 && !w.stack[n-1].array && w.stack[n-1].expectKey {
		top := &w.stack[n-1]
		if key, ok := tok.(string); ok {
			top.key, top.expectKey = key, false
			return w.path()
		}
		w.stack = w.stack[:n-1] // '}'
		w.valueDone()
		return w.path()
	}
	field := w.path()
	switch tok {
	case json.Delim('{'):
		w.stack = append(w.stack, frame{expectKey: true})
	case json.Delim('['):
		w.stack = append(w.stack, frame{array: true})
	case json.Delim(']'):
		w.stack = w.stack[:len(w.stack)-1]
		w.valueDone()
		return w.path()
	default:
		w.valueDone()
	}
	return field
}

// valueDone moves the innermost container past a finished value.
func (w *pathWalker) valueDone() {
	if n := len(w.stack); n > 0 {
		if w.stack[n-1].array {
			w.stack[n-1].index++
		} else {
			w.stack[n-1].expectKey = true
		}
	}
}

// path names the current position: "$" at the top, else keys joined by dots and indexes in
// brackets.
func (w *pathWalker) path() string {
	var b strings.Builder
	for _, f := range w.stack {
		switch {
		case f.array:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		case f.expectKey:
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(printable(f.key))
		}
	}
	if b.Len() == 0 {
		return "$"
	}
	return b.String()
}
