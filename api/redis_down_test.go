package api_test

import (
	"net/http"
	"testing"

	"github.com/odata-pos/pos/api/apitest"
)

// TestWithRedisDownLoginAndCommandsWorkAndAreRateLimited points the API at a dead Redis
// address: logins, commands and queries keep working (degraded), and login stays rate limited
// by the in-process limiter that takes over.
func TestWithRedisDownLoginAndCommandsWorkAndAreRateLimited(t *testing.T) {
	e := apitest.New(t, apitest.Options{RedisURL: "redis://127.0.0.1:1/0"})

	// A command (a user registration, with its idempotency key: the replay store is down, the
	// command still runs once).
	created := e.Must(http.StatusCreated, "POST", "/api/v1/users", e.AdminToken, map[string]any{
		"username": "nora", "password": "nora-password", "roles": []string{"admin"},
	}, "Idempotency-Key", "k1")
	var u struct {
		ID string `json:"id"`
	}
	created.JSON(t, &u)
	token := e.Login("nora", "nora-password")
	e.Must(http.StatusOK, "GET", "/api/v1/users/"+u.ID, token, nil)
	e.Must(http.StatusCreated, "POST", "/api/v1/tax-codes", token, map[string]any{"code": "STD", "name": "Standard", "rate_bp": 2100})

	// Brute force against one username is still cut off.
	limited := false
	for range 12 {
		r := e.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "nora", "password": "wrong-password"})
		if r.Status == http.StatusTooManyRequests {
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			limited = true
			break
		}
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password = %d %s", r.Status, r.Body)
		}
	}
	if !limited {
		t.Fatal("12 wrong passwords in a row were never rate limited with Redis down")
	}
}
