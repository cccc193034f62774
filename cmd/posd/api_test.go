package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestServerMountsTheAPIWithBootstrapAdmin(t *testing.T) {
	env := testEnv(t)
	env["POS_BOOTSTRAP_ADMIN_USERNAME"] = "admin"
	env["POS_BOOTSTRAP_ADMIN_PASSWORD"] = "correct-horse-battery-staple"
	s := startServer(t, env, nil, nil)

	me := s.getAs(t, loginAdmin(t, s), "/api/v1/auth/me")
	defer me.Body.Close()
	var who struct {
		Username string   `json:"username"`
		Roles    []string `json:"roles"`
	}
	if err := json.NewDecoder(me.Body).Decode(&who); err != nil || me.StatusCode != http.StatusOK || who.Username != "admin" {
		t.Errorf("me = %d %+v (%v), want the bootstrap admin", me.StatusCode, who, err)
	}

	if code, _ := s.get(t, "/api/v1/auth/me"); code != http.StatusUnauthorized {
		t.Errorf("me without a token = %d, want 401", code)
	}
	if _, metrics := s.get(t, "/metrics"); !strings.Contains(metrics, `route="/api/v1/auth/login"`) {
		t.Error("API requests are not measured by route template")
	}
}

// TestAPIRateLimitIsConfigured: POS_API_RATE_LIMIT reaches the per-user limit (1 request a
// second, bursts of 2: ten requests at once cannot all pass).
func TestAPIRateLimitIsConfigured(t *testing.T) {
	env := testEnv(t)
	env["POS_BOOTSTRAP_ADMIN_USERNAME"] = "admin"
	env["POS_BOOTSTRAP_ADMIN_PASSWORD"] = "correct-horse-battery-staple"
	env["POS_API_RATE_LIMIT"] = "1"
	s := startServer(t, env, nil, nil)
	token := loginAdmin(t, s)
	limited := 0
	for range 10 {
		me := s.getAs(t, token, "/api/v1/auth/me")
		_ = me.Body.Close()
		if me.StatusCode == http.StatusTooManyRequests {
			limited++
		} else if me.StatusCode != http.StatusOK {
			t.Fatalf("me = %d", me.StatusCode)
		}
	}
	if limited == 0 {
		t.Fatal("ten requests at 1 request a second (bursts of 2) all passed")
	}
}

// loginAdmin logs the bootstrap admin of the tests above in and returns the access token.
func loginAdmin(t *testing.T, s *server) string {
	t.Helper()
	resp, err := http.Post(s.base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"admin","password":"correct-horse-battery-staple"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&login); err != nil || resp.StatusCode != http.StatusOK || login.AccessToken == "" {
		t.Fatalf("login = %d (%v), want 200 with a token", resp.StatusCode, err)
	}
	return login.AccessToken
}

// getAs sends GET path with token as the bearer.
func (s *server) getAs(t *testing.T, token, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestServerWithoutUsersSaysHowToCreateTheFirstAdmin: a posd with no user and no bootstrap
// admin logs how to create one; once an admin exists it does not.
func TestServerWithoutUsersSaysHowToCreateTheFirstAdmin(t *testing.T) {
	const hint = "posctl users create-admin"
	env := testEnv(t)
	empty := startServer(t, env, nil, nil)
	if logs := empty.logs.String(); !strings.Contains(logs, hint) || !strings.Contains(logs, "POS_BOOTSTRAP_ADMIN_USERNAME") {
		t.Errorf("posd without users did not say how to create the first admin; logs:\n%s", logs)
	}
	empty.cancel()
	if err := empty.wait(t); err != nil {
		t.Fatal(err)
	}

	env["POS_BOOTSTRAP_ADMIN_USERNAME"] = "admin"
	env["POS_BOOTSTRAP_ADMIN_PASSWORD"] = "correct-horse-battery-staple"
	if logs := startServer(t, env, nil, nil).logs.String(); strings.Contains(logs, hint) {
		t.Errorf("posd with a bootstrap admin still asks for one; logs:\n%s", logs)
	}
}
