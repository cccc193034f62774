package api

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openapiYAML is api/openapi.yaml, the OpenAPI 3.1 document of the whole HTTP API. The tests
// in openapi_test.go keep it true to the router.
//
//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPIContentType is the media type of the served document (RFC 9512).
const OpenAPIContentType = "application/yaml"

// OpenAPIDocument returns a copy of the OpenAPI document of the API.
func OpenAPIDocument() []byte {
	return append([]byte(nil), openapiYAML...)
}

// OpenAPIHandler serves the OpenAPI document (GET /api/v1/openapi.yaml, public).
func OpenAPIHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", OpenAPIContentType)
		h.Set("Content-Length", strconv.Itoa(len(openapiYAML)))
		h.Set("Cache-Control", "public, max-age=300")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(openapiYAML)
	})
}
