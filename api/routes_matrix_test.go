package api_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/authz/authztest"
)

// TestEveryRouteEnforcesTheRoleTable walks every route of the mounted API as an anonymous
// caller and as each role, and compares allow/deny with the role → permission table: a new
// route cannot ship without an access rule, and no rule can drift from the table.
func TestEveryRouteEnforcesTheRoleTable(t *testing.T) {
	e := apitest.New(t, apitest.Options{APILimit: auth.PerSecond(100000, 100000)})
	storeID := uuid.NewString()
	var n atomic.Int64
	authztest.Matrix{
		Handler: e.Server.Config.Handler,
		Routes:  e.API.Routes.Routes(),
		Policy:  e.API.Authorizer.Policy(),
		Authenticate: func(t testing.TB, r *http.Request, role authz.Role) {
			var stores []string
			if !authz.GlobalRole(role) {
				stores = []string{storeID}
			}
			// One user per role (registered once, a replay after that), a new session per request:
			// the matrix also logs out.
			token := apitest.Token(t, e.API, "matrix-"+string(role), role, stores...)
			n.Add(1)
			r.Header.Set("Authorization", "Bearer "+token)
		},
	}.Check(t)
	if routes := len(e.API.Routes.Routes()); routes < 60 {
		t.Fatalf("only %d routes mounted; the API lost areas", routes)
	}
	if n.Load() == 0 {
		t.Fatal("no authenticated request was sent")
	}
}
