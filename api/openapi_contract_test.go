package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/odata-pos/pos/api/apitest"
)

// contract sends requests to a running server and checks both directions against
// api/openapi.yaml with openapi3filter: the request (unless deliberately malformed) and the
// response (status documented, headers and body matching their schemas).
type contract struct {
	t      *testing.T
	base   string
	client *http.Client
	router routers.Router
	// last is the highest command position seen, for X-Consistent-With.
	last uint64
}

func newContract(t *testing.T, env *apitest.Env) *contract {
	t.Helper()
	router, err := gorillamux.NewRouter(loadOpenAPI(t))
	if err != nil {
		t.Fatalf("openapi router: %v", err)
	}
	c := &contract{t: t, client: http.DefaultClient, router: router}
	if env != nil {
		c.base, c.client = env.Server.URL, env.Server.Client()
	}
	return c
}

// bearerAuth is the AuthenticationFunc of the validation: the bearer scheme needs a bearer
// token in Authorization (the server checks the token itself).
func bearerAuth(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

// do sends a request that must match the document and expects status want.
func (c *contract) do(want int, method, path, token string, body any, headers ...string) *apitest.Response {
	c.t.Helper()
	return c.send(true, want, method, path, token, body, headers...)
}

// malformed sends a request the document does not allow (it checks that the document refuses
// it too) and expects status want; the response must still match the document.
func (c *contract) malformed(want int, method, path, token string, body any, headers ...string) *apitest.Response {
	c.t.Helper()
	return c.send(false, want, method, path, token, body, headers...)
}

// consistent is the X-Consistent-With header for the last command position.
func (c *contract) consistent() []string {
	return []string{"X-Consistent-With", strconv.FormatUint(c.last, 10)}
}

func (c *contract) send(valid bool, want int, method, path, token string, body any, headers ...string) *apitest.Response {
	c.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			c.t.Fatalf("encode body: %v", err)
		}
	}
	newRequest := func() *http.Request {
		var rd io.Reader
		if raw != nil {
			rd = bytes.NewReader(raw)
		}
		req, err := http.NewRequest(method, c.base+path, rd)
		if err != nil {
			c.t.Fatalf("request: %v", err)
		}
		if raw != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return req
	}
	ctx := context.Background()
	req := newRequest()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Fatalf("%s %s is not an operation of api/openapi.yaml: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearerAuth, MultiError: true}}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	switch {
	case valid && reqErr != nil:
		c.t.Errorf("%s %s: request does not match api/openapi.yaml: %v\nbody: %s", method, path, reqErr, raw)
	case !valid && reqErr == nil:
		c.t.Errorf("%s %s: api/openapi.yaml allows a request the test sends as malformed: %s", method, path, raw)
	}

	resp, err := c.client.Do(newRequest())
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read %s %s: %v", method, path, err)
	}
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: method == http.MethodHead}}
	out.SetBodyBytes(b)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.t.Errorf("%s %s: %d response does not match api/openapi.yaml: %v\nbody: %s", method, path, resp.StatusCode, err, b)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		var w struct {
			Position json.Number `json:"position"`
		}
		if json.Unmarshal(b, &w) == nil {
			if p, err := strconv.ParseUint(w.Position.String(), 10, 64); err == nil && p > c.last {
				c.last = p
			}
		}
	}
	return &apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
