package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

// MaxBodyBytes is the largest request body the API accepts (1 MiB).
const MaxBodyBytes int64 = 1 << 20

// Decode reads r's JSON body into v strictly: the Content-Type must be JSON (415), the body
// at most MaxBodyBytes (413), not empty, exactly one JSON value with no trailing data, and no
// field that v does not have (400 naming the field). Numbers decoded into interface values
// become json.Number, so quantities never go through float64. Errors are *Error.
func Decode(r *http.Request, v any) error {
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	if r.Body == nil || r.Body == http.NoBody {
		return BadRequest("empty_body", "the request body is empty")
	}
	if r.ContentLength > MaxBodyBytes {
		return tooLarge(MaxBodyBytes)
	}
	// A second MaxBytesReader (BodyLimit middleware may already have set one) is harmless; it
	// keeps Decode safe when the middleware is missing.
	body := http.MaxBytesReader(nil, r.Body, MaxBodyBytes)
	return DecodeReader(body, v)
}

// DecodeReader decodes exactly one JSON value from body into v with the rules of Decode,
// except the Content-Type check and the size limit, which are the caller's. A string holding
// a NUL byte or invalid UTF-8 is a 400 "invalid_text" naming its field.
func DecodeReader(body io.Reader, v any) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		if e := asTooLarge(err); e != nil {
			return e
		}
		return BadRequest("malformed_body", "the request body could not be read")
	}
	if e := checkBodyText(raw); e != nil {
		return e
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	// Anything but whitespace after the value is an error.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			if e := asTooLarge(err); e != nil {
				return e
			}
		}
		return BadRequest("trailing_data", "the request body must hold a single JSON value")
	}
	return nil
}

// checkContentType accepts application/json and application/*+json, in UTF-8.
func checkContentType(ct string) error {
	if ct == "" {
		return &Error{Kind: KindUnsupportedMediaType, Code: "unsupported_media_type",
			Detail: "Content-Type must be application/json"}
	}
	mt, params, err := mime.ParseMediaType(ct)
	ok := err == nil && (mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")))
	if cs, has := params["charset"]; ok && has && !strings.EqualFold(cs, "utf-8") {
		ok = false
	}
	if !ok {
		return &Error{Kind: KindUnsupportedMediaType, Code: "unsupported_media_type",
			Detail: "Content-Type must be application/json"}
	}
	return nil
}

// decodeError turns an encoding/json error into a 400 (or 413) *Error with a useful detail.
func decodeError(err error) *Error {
	if e := asTooLarge(err); e != nil {
		return e
	}
	if errors.Is(err, io.EOF) {
		return BadRequest("empty_body", "the request body is empty")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return BadRequest("malformed_body", "the request body is truncated JSON")
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return BadRequest("malformed_body", fmt.Sprintf("malformed JSON at byte %d", se.Offset))
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := te.Field
		if field == "" {
			field = "$"
		}
		e := Invalid(FieldError{Field: field, Message: "must be " + jsonKind(te.Type)})
		e.Err = err
		return e
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field = strings.Trim(field, `"`)
		return &Error{Kind: KindBadRequest, Code: "unknown_field", Detail: "unknown field " + field,
			Fields: []FieldError{{Field: field, Message: "unknown field"}}, Err: err}
	}
	if ie, ok := errors.AsType[*json.InvalidUnmarshalError](err); ok {
		// A programming error (v is not a pointer): a 500, not the client's fault.
		return &Error{Kind: KindInternal, Code: "internal_error", Err: ie}
	}
	// Errors returned by a field's UnmarshalJSON (an invalid money or quantity, say).
	return &Error{Kind: KindBadRequest, Code: "malformed_body", Detail: "the request body is invalid: " + clip(err.Error(), 200), Err: err}
}

// asTooLarge returns a 413 *Error when err is (or wraps) an *http.MaxBytesError.
func asTooLarge(err error) *Error {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge(mbe.Limit)
	}
	return nil
}

// tooLarge returns the 413 error for limit.
func tooLarge(limit int64) *Error {
	return &Error{Kind: KindTooLarge, Code: "body_too_large",
		Detail: fmt.Sprintf("the request body exceeds %d bytes", limit)}
}

// jsonKind names a Go type the way a client thinks of JSON.
func jsonKind(t reflect.Type) string {
	if t == reflect.TypeFor[json.Number]() {
		return "a number"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	default:
		return "another type"
	}
}

// clip shortens s to at most n bytes.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
