package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
)

// staticAccess answers every user's access from memory and revokes nothing: the
// authentication middleware's cost without the per-request PostgreSQL check (signature and
// claims only).
type staticAccess struct{ a auth.Access }

func (s staticAccess) UserAccess(context.Context, string, []string, time.Time) (auth.Access, error) {
	return s.a, nil
}

func (staticAccess) Revoke(context.Context, string, time.Time, time.Time) error { return nil }

// BenchmarkAuthenticate measures the bearer authentication middleware on one request, with
// the per-request access check (one primary-key read of user_credentials in PostgreSQL) and
// without it, both against the machine's Redis for the revocation check; and, for scale, a
// whole authenticated GET /api/v1/stores/{id} over HTTP with the check.
//
//	go test -run '^$' -bench BenchmarkAuthenticate -benchtime 2000x -count 5 ./api/
func BenchmarkAuthenticate(b *testing.B) {
	e := apitest.New(b, apitest.Options{APILimit: auth.PerSecond(1_000_000, 1_000_000)})
	store := salestest.NewStore(b, e.API.Commands, "A", salestest.Settings(true)).String()
	token := apitest.Token(b, e.API, "bench-cashier", authz.RoleCashier, store)
	key, err := auth.NewKey([]byte("apitest-signing-key-0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	keys, err := auth.NewKeySet(key)
	if err != nil {
		b.Fatal(err)
	}
	without, err := auth.NewTokens(keys, staticAccess{auth.Access{Roles: []authz.Role{authz.RoleCashier}, StoreIDs: []string{store}}},
		auth.TokenConfig{KeyPrefix: "bench:"}, auth.Deps{Redis: e.Redis})
	if err != nil {
		b.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, c := range []struct {
		name   string
		tokens *auth.Tokens
	}{{"without-access-check", without}, {"with-access-check", e.API.Tokens}} {
		h := c.tokens.Authenticate(e.API.Responder)(ok)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, "/api/v1/stores", nil)
				r.Header.Set("Authorization", "Bearer "+token)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusNoContent {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
	b.Run("whole-GET-store-with-access-check", func(b *testing.B) {
		for b.Loop() {
			e.Must(http.StatusOK, http.MethodGet, "/api/v1/stores/"+store, token, nil)
		}
	})
}
