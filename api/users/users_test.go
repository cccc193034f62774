package users_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/odata-pos/pos/api/apitest"
)

func TestUserAdministration(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	admin := e.AdminToken

	created := e.Must(http.StatusCreated, "POST", "/api/v1/users", admin, map[string]any{
		"username": "Carla", "password": "cashier-password", "roles": []string{"cashier"}, "store_ids": []string{"s1"},
	})
	if created.Header.Get("ETag") != `"0"` {
		t.Fatalf("ETag = %q, want \"0\"", created.Header.Get("ETag"))
	}
	var u struct {
		ID       string   `json:"id"`
		Username string   `json:"username"`
		Roles    []string `json:"roles"`
		Revision uint64   `json:"revision"`
		Position uint64   `json:"position"`
	}
	created.JSON(t, &u)
	if u.Username != "carla" || u.Roles[0] != "cashier" || u.Position == 0 {
		t.Fatalf("created = %s", created.Body)
	}
	if strings.Contains(string(created.Body), "password") {
		t.Fatalf("the response mentions the password: %s", created.Body)
	}

	// The new user can log in at once (lookups go to the write side) and sees itself.
	token := e.Login("carla", "cashier-password")
	me := e.Must(http.StatusOK, "GET", "/api/v1/auth/me", token, nil).Map(t)
	if me["id"] != u.ID {
		t.Fatalf("me = %v, want id %s", me, u.ID)
	}
	// A cashier may not administer users.
	e.Must(http.StatusForbidden, "POST", "/api/v1/users", token, map[string]any{"username": "x1x", "password": "some-password", "roles": []string{"admin"}})

	// Usernames are unique whatever the case.
	dup := e.Must(http.StatusConflict, "POST", "/api/v1/users", admin, map[string]any{
		"username": "CARLA", "password": "other-password", "roles": []string{"admin"},
	})
	if !strings.Contains(string(dup.Body), `"code":"duplicate"`) {
		t.Fatalf("duplicate = %s", dup.Body)
	}
	// Domain validation lists the fields; malformed bodies are 400.
	bad := e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/users", admin, map[string]any{
		"username": "dave", "password": "dave-password", "roles": []string{"cashier"},
	})
	if !strings.Contains(string(bad.Body), `"field":"store_ids"`) {
		t.Fatalf("validation = %s", bad.Body)
	}
	e.Must(http.StatusBadRequest, "POST", "/api/v1/users", admin, `{"username":"x","unknown":1}`)

	// Conditional update with If-Match: a stale revision is refused.
	e.Must(http.StatusPreconditionFailed, "POST", "/api/v1/users/"+u.ID+"/roles", admin, map[string]any{"roles": []string{"manager"}}, "If-Match", `"5"`)
	changed := e.Must(http.StatusOK, "POST", "/api/v1/users/"+u.ID+"/roles", admin, map[string]any{"roles": []string{"manager"}}, "If-Match", `"0"`)
	if changed.Header.Get("ETag") != `"1"` {
		t.Fatalf("ETag after role change = %q", changed.Header.Get("ETag"))
	}

	// Disabled users cannot log in; SQL and script payloads are stored verbatim.
	e.Must(http.StatusOK, "POST", "/api/v1/users/"+u.ID+"/disable", admin, map[string]any{"reason": "<script>alert(1)</script>'; DROP TABLE events;--"})
	e.Must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "carla", "password": "cashier-password"})
	e.Must(http.StatusOK, "POST", "/api/v1/users/"+u.ID+"/enable", admin, nil)
	e.Must(http.StatusOK, "POST", "/api/v1/users/"+u.ID+"/password", admin, map[string]string{"password": "new-password-9"})
	e.Login("carla", "new-password-9")
	e.Must(http.StatusNotFound, "GET", "/api/v1/users/nobody", admin, nil)
}

func TestConcurrentRegistrationsOfOneUsername(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.Do("POST", "/api/v1/users", e.AdminToken, map[string]any{
				"username": "eve", "password": "eve-password", "roles": []string{"admin"},
			}).Status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Fatalf("status %d among %v", s, statuses)
		}
	}
	if created != 1 {
		t.Fatalf("%d of %v created the user, want exactly 1", created, statuses)
	}
}

// TestDisableWithoutBody disables a user with no body at all (no reason); a body that is sent
// is still decoded strictly.
func TestDisableWithoutBody(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	id, _ := e.CreateUser("dora", []string{"cashier"}, []string{"s1"})
	path := "/api/v1/users/" + id + "/disable"
	e.Must(http.StatusBadRequest, "POST", path, e.AdminToken, `{"reason":"x","colour":"red"}`)
	e.Must(http.StatusBadRequest, "POST", path, e.AdminToken, `{"reason":`)
	if r := e.Do("POST", path, e.AdminToken, nil); r.Status != http.StatusOK || r.Map(t)["disabled"] != true {
		t.Fatalf("disable without a body: %d %s", r.Status, r.Body)
	}
	e.Must(http.StatusUnauthorized, "POST", "/api/v1/auth/login", "", map[string]string{"username": "dora", "password": "user-password-1"})
	e.Must(http.StatusOK, "POST", "/api/v1/users/"+id+"/enable", e.AdminToken, nil)
	if r := e.Must(http.StatusOK, "POST", path, e.AdminToken, `{}`); r.Map(t)["disabled"] != true {
		t.Fatalf("disable with {}: %s", r.Body)
	}
}
