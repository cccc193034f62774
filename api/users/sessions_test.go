package users_test

import (
	"net/http"
	"testing"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/sales/salestest"
)

// session logs username in and returns its access and refresh tokens (no refresh token while
// Redis is down).
func session(t *testing.T, e *apitest.Env, username, password string) (access, refresh string) {
	t.Helper()
	var out struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	e.Must(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}).JSON(t, &out)
	return out.AccessToken, out.RefreshToken
}

// TestAccessChangesReachLiveSessions: after a password reset or change, a disable, a demotion
// or a store move, the user's old access token is refused on its very next request (401, or
// 403 for what the new roles or stores do not allow) and its refresh token no longer rotates,
// with Redis up and with Redis down (the check reads PostgreSQL).
func TestAccessChangesReachLiveSessions(t *testing.T) {
	for _, mode := range []struct{ name, redis string }{{"redis up", ""}, {"redis down", "redis://127.0.0.1:1/0"}} {
		t.Run(mode.name, func(t *testing.T) {
			e := apitest.New(t, apitest.Options{RedisURL: mode.redis})
			storeA := salestest.NewStore(t, e.API.Commands, "A", salestest.Settings(true)).String()
			storeB := salestest.NewStore(t, e.API.Commands, "B", salestest.Settings(true)).String()
			const password = "user-password-1"
			cases := []struct {
				name   string
				roles  []string
				stores []string
				// probe is a request the user may send before the change; after it, want.
				probe string
				want  int
				// change makes the change (id: the user's ID, token: the user's access token).
				change func(id, token string)
				// still is a request that must still succeed after the change, if any.
				still string
			}{
				{name: "password reset", roles: []string{"cashier"}, stores: []string{storeA}, probe: "/api/v1/auth/me", want: http.StatusUnauthorized,
					change: func(id, _ string) {
						e.Must(http.StatusOK, "POST", "/api/v1/users/"+id+"/password", e.AdminToken, map[string]string{"password": "reset-password-2"})
					}},
				{name: "password change", roles: []string{"cashier"}, stores: []string{storeA}, probe: "/api/v1/auth/me", want: http.StatusUnauthorized,
					change: func(_, token string) {
						e.Must(http.StatusNoContent, "POST", "/api/v1/auth/password", token,
							map[string]string{"current_password": password, "new_password": "changed-password-3"})
					}},
				{name: "disable", roles: []string{"cashier"}, stores: []string{storeA}, probe: "/api/v1/auth/me", want: http.StatusUnauthorized,
					change: func(id, _ string) { e.Must(http.StatusOK, "POST", "/api/v1/users/"+id+"/disable", e.AdminToken, nil) }},
				{name: "demotion", roles: []string{"admin"}, probe: "/api/v1/users/{id}", want: http.StatusForbidden,
					change: func(id, _ string) {
						e.Must(http.StatusOK, "POST", "/api/v1/users/"+id+"/roles", e.AdminToken, map[string]any{"roles": []string{"analyst"}})
					}},
				{name: "store move", roles: []string{"cashier"}, stores: []string{storeA}, probe: "/api/v1/stores/" + storeA, want: http.StatusForbidden,
					change: func(id, _ string) {
						e.Must(http.StatusOK, "POST", "/api/v1/users/"+id+"/stores", e.AdminToken, map[string]any{"store_ids": []string{storeB}})
					}, still: "/api/v1/stores/" + storeB},
			}
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					username := "user" + string(rune('a'+i))
					id, _ := e.CreateUser(username, c.roles, c.stores)
					access, refresh := session(t, e, username, password)
					probe := c.probe
					if probe == "/api/v1/users/{id}" {
						probe = "/api/v1/users/" + id
					}
					e.Must(http.StatusOK, "GET", probe, access, nil)
					c.change(id, access)
					if r := e.Do("GET", probe, access, nil); r.Status != c.want {
						t.Errorf("old access token after the change: %d %s, want %d", r.Status, r.Body, c.want)
					}
					if c.still != "" {
						e.Must(http.StatusOK, "GET", c.still, access, nil)
					}
					if refresh != "" {
						if r := e.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}); r.Status != http.StatusUnauthorized {
							t.Errorf("old refresh token after the change: %d %s", r.Status, r.Body)
						}
					} else if mode.redis == "" {
						t.Fatal("no refresh token with redis up")
					}
				})
			}
		})
	}
}
