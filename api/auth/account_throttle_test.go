package auth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// loginFrom sends a login of username with password from ip.
func (s *server) loginFrom(ip, username, password string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login",
		strings.NewReader(`{"username":"`+username+`","password":"`+password+`"}`))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = ip + ":1234"
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

// TestLoginThrottlesOneAccountAcrossAddresses: 50 guesses at one account from 10 addresses
// (5 each, within every per-address limit) are no longer all checked: past 5 failures the
// account waits, so only 6 reach the password check; the rest get 429 with Retry-After. The
// real user at an address that logged in to the account before is not kept out, and a
// success clears the failures. With Redis down the throttle runs in-process.
func TestLoginThrottlesOneAccountAcrossAddresses(t *testing.T) {
	rdb, prefix := testRedis(t)
	for name, s := range map[string]*server{
		"redis": newServer(t, rdb, prefix), "dead redis": newServer(t, deadRedis(t), prefix+"dead:"),
	} {
		t.Run(name, func(t *testing.T) {
			const till = "198.51.100.1"
			if w := s.loginFrom(till, "cashier", testPassword); w.Code != http.StatusOK {
				t.Fatalf("the cashier's own login: %d %s", w.Code, w.Body)
			}
			checked, throttled := 0, 0
			for i := range 50 {
				w := s.loginFrom(fmt.Sprintf("203.0.113.%d", i%10), "cashier", fmt.Sprintf("guess-%d", i))
				switch w.Code {
				case http.StatusUnauthorized:
					checked++
				case http.StatusTooManyRequests:
					throttled++
					if w.Header().Get("Retry-After") != "1" {
						t.Fatalf("guess %d: Retry-After %q", i, w.Header().Get("Retry-After"))
					}
				default:
					t.Fatalf("guess %d: %d %s", i, w.Code, w.Body)
				}
			}
			if checked != 6 || throttled != 44 {
				t.Errorf("%d guesses checked and %d throttled, want 6 and 44", checked, throttled)
			}
			// The attacker cannot keep the till out: it logged in to the account before.
			if w := s.loginFrom(till, "cashier", testPassword); w.Code != http.StatusOK {
				t.Errorf("the cashier at their till during the attack: %d %s", w.Code, w.Body)
			}
			// That success cleared the failures: a new address may try again at once.
			if w := s.loginFrom("192.0.2.200", "cashier", "wrong-again"); w.Code != http.StatusUnauthorized {
				t.Errorf("after a success: %d %s", w.Code, w.Body)
			}
			// Other accounts are not touched.
			if w := s.loginFrom("203.0.113.1", "manager", testPassword); w.Code != http.StatusOK {
				t.Errorf("another account: %d %s", w.Code, w.Body)
			}
		})
	}
}

// TestAccountWaitDoublesUpToItsCap: each failure past the free ones doubles the wait, never
// beyond MaxDelay (what an attacker can impose per guess), and it is forgotten after a
// success.
func TestAccountWaitDoublesUpToItsCap(t *testing.T) {
	rdb, prefix := testRedis(t)
	for name, f := range map[string]*fixture{
		"redis": newFixture(t, rdb, prefix), "dead redis": newFixture(t, deadRedis(t), prefix+"dead:"),
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			a := f.accounts
			for range 5 {
				a.Failed(ctx, "Alice")
			}
			if w := a.Wait(ctx, "alice", "10.0.0.1"); w != 0 {
				t.Fatalf("wait after the free failures: %v", w)
			}
			want := []time.Duration{1, 2, 4, 8, 16, 30, 30}
			for i, d := range want {
				a.Failed(ctx, " ALICE ")
				if w := a.Wait(ctx, "alice", "10.0.0.1"); w != d*time.Second {
					t.Fatalf("failure %d past the free ones: wait %v, want %v", i+1, w, d*time.Second)
				}
				f.clock.Advance(d * time.Second)
				if w := a.Wait(ctx, "alice", "10.0.0.1"); w != 0 {
					t.Fatalf("after waiting %v: %v", d*time.Second, w)
				}
			}
			a.Failed(ctx, "alice")
			a.Succeeded(ctx, "alice", "10.0.0.9")
			a.Failed(ctx, "alice")
			if w := a.Wait(ctx, "alice", "10.0.0.1"); w != 0 {
				t.Errorf("one failure after a success: wait %v", w)
			}
			if w := a.Wait(ctx, "bob", "10.0.0.1"); w != 0 {
				t.Errorf("another account: wait %v", w)
			}
		})
	}
}
