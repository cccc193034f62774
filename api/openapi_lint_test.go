package api_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// pathParam finds the {name} templates of a path.
var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPILint holds the document to the rules a linter (spectral's recommended set)
// checks beyond validity: every operation has a summary and tags that the document declares,
// every path template has its path parameter and no path parameter is undeclared in the
// path, and every error response (4xx, 5xx) is problem+json (but /readyz's 503, which is the
// readiness report).
func TestOpenAPILint(t *testing.T) {
	doc := loadOpenAPI(t)
	declared := map[string]bool{}
	for _, tag := range doc.Tags {
		declared[tag.Name] = true
	}
	for path, item := range doc.Paths.Map() {
		var templates []string
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			templates = append(templates, m[1])
		}
		for method, op := range item.Operations() {
			where := method + " " + path
			if strings.TrimSpace(op.Summary) == "" {
				t.Errorf("%s: no summary", where)
			}
			if len(op.Tags) == 0 {
				t.Errorf("%s: no tags", where)
			}
			for _, tag := range op.Tags {
				if !declared[tag] {
					t.Errorf("%s: tag %q is not declared in the document's tags", where, tag)
				}
			}
			var inPath []string
			for _, p := range append(item.Parameters, op.Parameters...) {
				if p.Value != nil && p.Value.In == "path" {
					inPath = append(inPath, p.Value.Name)
				}
			}
			for _, name := range templates {
				if !slices.Contains(inPath, name) {
					t.Errorf("%s: path parameter %s is not declared", where, name)
				}
			}
			for _, name := range inPath {
				if !slices.Contains(templates, name) {
					t.Errorf("%s: parameter %s is not in the path", where, name)
				}
			}
			for code, resp := range op.Responses.Map() {
				isError := strings.HasPrefix(code, "4") || strings.HasPrefix(code, "5")
				if resp.Value == nil || path == "/readyz" || !isError {
					continue
				}
				if len(resp.Value.Content) > 0 && resp.Value.Content.Get("application/problem+json") == nil {
					t.Errorf("%s %s: error response is not application/problem+json", where, code)
				}
			}
		}
	}
}
