package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
)

// TestTwoDeploymentsSharingARedisStayApart runs two deployments (two databases) on the
// machine's one Redis with the Redis prefix derived as in production: B must not replay A's
// idempotent answer (it would tell B's client a write succeeded that never happened there),
// nor see A's revocations. Both have a bootstrap admin of the same name, so the same user ID.
func TestTwoDeploymentsSharingARedisStayApart(t *testing.T) {
	a := apitest.New(t, apitest.Options{DeriveRedisPrefix: true})
	b := apitest.New(t, apitest.Options{DeriveRedisPrefix: true})
	if a.API.RedisPrefix == b.API.RedisPrefix || !strings.HasPrefix(a.API.RedisPrefix, "pos:") {
		t.Fatalf("prefixes %q and %q", a.API.RedisPrefix, b.API.RedisPrefix)
	}

	body := map[string]any{"code": "STD", "name": "Standard", "rate_bp": 2100}
	a.Must(http.StatusCreated, "POST", "/api/v1/tax-codes", a.AdminToken, body, "Idempotency-Key", "shared-key")
	r := b.Must(http.StatusCreated, "POST", "/api/v1/tax-codes", b.AdminToken, body, "Idempotency-Key", "shared-key")
	if r.Header.Get("Idempotent-Replayed") == "true" {
		t.Fatalf("B replayed A's answer: %s", r.Body)
	}
	var created struct {
		ID uuid.UUID `json:"id"`
	}
	r.JSON(t, &created)
	evs, err := b.Store.ReadStream(t.Context(), commands.TaxCodeStream(created.ID), eventstore.Forwards, 0, 10)
	if err != nil || len(evs) == 0 {
		t.Fatalf("B's event store has no tax code %s: %v", created.ID, err)
	}

	// The two test deployments share a signing key, so A's admin token is valid at B too:
	// A revoking it must not reach B.
	token := a.Login(apitest.AdminUsername, apitest.AdminPassword)
	b.Must(http.StatusOK, "GET", "/api/v1/auth/me", token, nil)
	a.Must(http.StatusNoContent, "POST", "/api/v1/auth/logout", token, nil)
	a.Must(http.StatusUnauthorized, "GET", "/api/v1/auth/me", token, nil)
	b.Must(http.StatusOK, "GET", "/api/v1/auth/me", token, nil)
}
