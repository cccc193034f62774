package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/audit"
)

// snakeKey is the form of every key the API renders.
var snakeKey = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// checkAuditStates reads the audit state of each stream (one per aggregate kind the state
// endpoint knows: a stream missing for a kind fails), at its first revision and now, checks
// each answer against api/openapi.yaml and that every key of the state is snake_case (the
// endpoint rendered Go field names, "StoreID", "PricesIncludeTax").
func checkAuditStates(t *testing.T, c *contract, token string, streams ...string) {
	t.Helper()
	var kinds []string
	for _, stream := range streams {
		cat, _, _ := strings.Cut(stream, "-")
		kinds = append(kinds, cat+"-")
		for _, query := range []string{"?revision=0", ""} {
			var out struct {
				State json.RawMessage `json:"state"`
			}
			c.do(http.StatusOK, http.MethodGet, "/api/v1/audit/streams/"+stream+"/state"+query, token, nil).JSON(t, &out)
			var state any
			if err := json.Unmarshal(out.State, &state); err != nil {
				t.Fatalf("state of %s%s: %v", stream, query, err)
			}
			if m, ok := state.(map[string]any); !ok || len(m) == 0 {
				t.Fatalf("state of %s%s is %s", stream, query, out.State)
			}
			for _, bad := range nonSnakeKeys("", state) {
				t.Errorf("state of %s%s has the key %s", stream, query, bad)
			}
		}
	}
	slices.Sort(kinds)
	if want := audit.StatePrefixes(); !slices.Equal(slices.Compact(kinds), want) {
		t.Errorf("states checked for %v, the endpoint knows %v", slices.Compact(kinds), want)
	}
}

// nonSnakeKeys returns the paths of the keys in v that are not snake_case.
func nonSnakeKeys(path string, v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if !snakeKey.MatchString(k) {
				out = append(out, path+"/"+k)
			}
			out = append(out, nonSnakeKeys(path+"/"+k, e)...)
		}
	case []any:
		for i, e := range v {
			out = append(out, nonSnakeKeys(fmt.Sprintf("%s/%d", path, i), e)...)
		}
	}
	return out
}
