package api_test

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// tourRequest is one curl command of the README walkthrough, with its shell variables
// replaced by sample values.
type tourRequest struct {
	method, path, body string
	header             http.Header
}

var (
	tourURL      = regexp.MustCompile(`"\$POS(/[^"?]*)(\?[^"]*)?"`)
	tourHeader   = regexp.MustCompile(`-H ['"]([A-Za-z-]+): ([^'"]*)['"]`)
	tourInline   = regexp.MustCompile(`-d "((?:[^"\\]|\\.)*)"`)
	tourVariable = regexp.MustCompile(`\$[A-Z_]+`)
)

// tourSample stands for a shell variable of the walkthrough: a position where the API wants one,
// a UUID (or a string) everywhere else.
func tourSample(name string) string {
	if name == "$POSITION" {
		return "42"
	}
	return "0b9f3c9e-5d1a-4c8e-9a53-3f1f6f0e2a10"
}

// readmeTour returns the curl commands of the sh blocks between the tour markers of README.md,
// the blocks scripts/tour.sh runs.
func readmeTour(t *testing.T) []tourRequest {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	begin, end := strings.Index(text, "<!-- tour:begin"), strings.Index(text, "<!-- tour:end -->")
	if begin < 0 || end < begin {
		t.Fatal("README.md has no <!-- tour:begin ... <!-- tour:end --> section")
	}
	var out []tourRequest
	lines := strings.Split(text[begin:end], "\n")
	inBlock := false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		switch {
		case line == "```sh":
			inBlock = true
			continue
		case line == "```":
			inBlock = false
			continue
		case !inBlock || !strings.Contains(line, "curl "):
			continue
		}
		cmd := line
		for strings.HasSuffix(cmd, `\`) && i+1 < len(lines) {
			i++
			cmd = strings.TrimSuffix(cmd, `\`) + " " + strings.TrimSpace(lines[i])
		}
		out = append(out, parseTourCurl(t, cmd, lines, &i))
	}
	return out
}

// parseTourCurl reads one curl command; a body given as a here-document (-d @- <<EOF) is read
// from the lines after it, up to EOF, and i moves past them.
func parseTourCurl(t *testing.T, cmd string, lines []string, i *int) tourRequest {
	t.Helper()
	m := tourURL.FindStringSubmatch(cmd)
	if m == nil {
		t.Fatalf("README tour: no \"$POS/...\" URL in %q", cmd)
	}
	r := tourRequest{method: http.MethodGet, path: tourVariable.ReplaceAllStringFunc(m[1]+m[2], tourSample), header: http.Header{}}
	for _, h := range tourHeader.FindAllStringSubmatch(cmd, -1) {
		r.header.Set(h[1], tourVariable.ReplaceAllStringFunc(h[2], tourSample))
	}
	switch {
	case strings.Contains(cmd, "-d @- <<EOF"):
		r.method = http.MethodPost
		var body []string
		for *i+1 < len(lines) && lines[*i+1] != "EOF" {
			*i++
			body = append(body, lines[*i])
		}
		*i++
		r.body = strings.Join(body, "\n")
	case tourInline.MatchString(cmd):
		r.method = http.MethodPost
		r.body = strings.ReplaceAll(tourInline.FindStringSubmatch(cmd)[1], `\"`, `"`)
	}
	r.body = tourVariable.ReplaceAllStringFunc(r.body, tourSample)
	return r
}

// The README walkthrough's requests (run for real against posd by scripts/tour.sh in CI) are
// also requests api/openapi.yaml describes: each route exists, and each body, query and
// header is valid by the document's schemas.
func TestREADMETourMatchesOpenAPI(t *testing.T) {
	router, err := gorillamux.NewRouter(loadOpenAPI(t))
	if err != nil {
		t.Fatal(err)
	}
	requests := readmeTour(t)
	// login, store, tax code, product, register, shift, receipt, sale, return, report, audit, close
	if len(requests) != 12 {
		t.Fatalf("README tour: found %d curl commands, want 12 (did the walkthrough or its parsing change?)", len(requests))
	}
	for _, r := range requests {
		req, err := http.NewRequest(r.method, "http://127.0.0.1:8080"+r.path, strings.NewReader(r.body))
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, r.path, err)
		}
		req.Header = r.header
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s %s: not in api/openapi.yaml: %v", r.method, r.path, err)
			continue
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: bearerAuth, MultiError: true}}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("%s %s: the README's request does not match api/openapi.yaml: %v\nbody: %s", r.method, r.path, err, r.body)
		}
	}
}
