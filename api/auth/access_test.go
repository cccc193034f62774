package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/httpx"
)

// downAccess is an access source whose database is unreachable.
type downAccess struct{}

func (downAccess) UserAccess(context.Context, string, []string, time.Time) (auth.Access, error) {
	return auth.Access{}, errRefused
}

func (downAccess) Revoke(context.Context, string, time.Time, time.Time) error { return errRefused }

var errRefused = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

// TestAccessUnreadableIsUnavailableNotTrusted: when the user's access cannot be read, a
// request with a valid token answers 503 (retry later) rather than being trusted on the token
// alone, and does not pass as a bad token (no 401).
func TestAccessUnreadableIsUnavailableNotTrusted(t *testing.T) {
	f := newFixture(t, nil, "")
	pair, err := f.tokens.Issue(t.Context(), cashier())
	if err != nil {
		t.Fatal(err)
	}
	down, err := auth.NewTokens(f.keys, downAccess{}, auth.TokenConfig{}, auth.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler), auth.MapError)
	h := down.Authenticate(rs)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	r := httptest.NewRequest(http.MethodGet, "/api/v1/sales", nil)
	r.Header.Set("Authorization", "Bearer "+pair.AccessToken)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("WWW-Authenticate") != "" {
		t.Fatalf("access unreadable: %d %v %s", w.Code, w.Header(), w.Body)
	}
}
