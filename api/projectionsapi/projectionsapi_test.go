package projectionsapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/apitest"
)

func TestProjectionRoutes(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	var list struct {
		Items []map[string]any `json:"items"`
	}
	e.Must(http.StatusOK, "GET", "/api/v1/projections", e.AdminToken, nil).JSON(t, &list)
	if list.Items == nil {
		t.Fatal("no items array")
	}
	_, cashier := e.CreateUser("cashier1", []string{"cashier"}, []string{"s1"})
	_, analyst := e.CreateUser("analyst1", []string{"analyst"}, nil)
	e.Must(http.StatusForbidden, "GET", "/api/v1/projections", cashier, nil)
	e.Must(http.StatusOK, "GET", "/api/v1/projections", analyst, nil)
	e.Must(http.StatusForbidden, "POST", "/api/v1/projections/sales/rebuild", analyst, nil)

	unknown := e.Must(http.StatusNotFound, "POST", "/api/v1/projections/nope/rebuild", e.AdminToken, nil)
	if !strings.Contains(string(unknown.Body), "projection_not_found") {
		t.Fatalf("unknown projection: %s", unknown.Body)
	}
	e.Must(http.StatusBadRequest, "POST", "/api/v1/projections/sales/skip", e.AdminToken, map[string]any{})
	e.Must(http.StatusBadRequest, "POST", "/api/v1/projections/sales/skip", e.AdminToken, `{"position":"x"}`)
	// Nothing parked: a replay applies nothing and keeps nothing.
	replay := e.Must(http.StatusOK, "POST", "/api/v1/projections/sales/replay-parked", e.AdminToken, nil)
	if !strings.Contains(string(replay.Body), `"replayed":0`) || !strings.Contains(string(replay.Body), `"parked":0`) {
		t.Fatalf("replay-parked = %s", replay.Body)
	}
	e.Must(http.StatusForbidden, "POST", "/api/v1/projections/sales/replay-parked", analyst, nil)
	e.Must(http.StatusNotFound, "POST", "/api/v1/projections/nope/replay-parked", e.AdminToken, nil)
}

func TestRebuildRequestBeforeTheProjectionEverRan(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	r := e.Must(http.StatusConflict, "POST", "/api/v1/projections/sales/rebuild", e.AdminToken, nil)
	if !strings.Contains(string(r.Body), "projection_not_started") {
		t.Fatalf("rebuild of a never-run projection: %s", r.Body)
	}
}
