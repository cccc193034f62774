package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/apitest"
)

// withSecondReplica starts an API whose Redis is down and a second replica of it, and returns
// the first and a GET /api/v1/auth/me on the second with a token, answering its status.
func withSecondReplica(t *testing.T) (*apitest.Env, func(token string) int) {
	t.Helper()
	e := apitest.New(t, apitest.Options{RedisURL: "redis://127.0.0.1:1/0"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	replica2 := e.Replica(ctx, "replica-2:")
	return e, func(token string) int {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, replica2.URL+"/api/v1/auth/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := replica2.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
}

// TestAccessChangeReachesEveryReplica: with Redis down, a user disabled on one replica is
// refused on their very next request to another replica of the same database (the access
// check reads PostgreSQL, not a replica's memory or Redis).
func TestAccessChangeReachesEveryReplica(t *testing.T) {
	e, get := withSecondReplica(t)

	id, token := e.CreateUser("carla", []string{"cashier"}, []string{"s1"})
	if s := get(token); s != http.StatusOK {
		t.Fatalf("replica 2 before the change: %d", s)
	}
	e.Must(http.StatusOK, "POST", "/api/v1/users/"+id+"/disable", e.AdminToken, nil) // on replica 1
	if s := get(token); s != http.StatusUnauthorized {
		t.Fatalf("replica 2 after the user was disabled on replica 1: %d, want 401", s)
	}
}

// TestLogoutReachesEveryReplicaWithoutRedis: with Redis down, a token logged out on one
// replica is refused on its very next request to another replica of the same database (the
// revocation is written to PostgreSQL and read there with the user's access), while the
// same user's other session goes on working.
func TestLogoutReachesEveryReplicaWithoutRedis(t *testing.T) {
	e, get := withSecondReplica(t)

	_, token := e.CreateUser("dora", []string{"cashier"}, []string{"s1"})
	other := e.Login("dora", apitest.UserPassword)
	if s := get(token); s != http.StatusOK {
		t.Fatalf("replica 2 before the logout: %d", s)
	}
	e.Must(http.StatusNoContent, "POST", "/api/v1/auth/logout", token, nil) // on replica 1
	if s := get(token); s != http.StatusUnauthorized {
		t.Errorf("replica 2 after a logout on replica 1: %d, want 401", s)
	}
	e.Must(http.StatusUnauthorized, "GET", "/api/v1/auth/me", token, nil)
	if s := get(other); s != http.StatusOK {
		t.Errorf("the user's other session on replica 2: %d, want 200", s)
	}
}
