package v1import_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/internal/credentials"
	"github.com/odata-pos/pos/internal/v1import"
	"github.com/odata-pos/pos/internal/v1import/v1gen"
)

// A v1 user logs in with the v1 password; the bcrypt hash is then replaced by the product's
// own (argon2id), and the password keeps working. An inactive v1 user cannot log in.
func TestV1UserLogsInAndIsRehashed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.sqlite")
	const password = "v1-password-123"
	sum, err := v1gen.Generate(ctx, path, v1gen.Options{Sales: 50, Days: 5, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	src, err := v1import.Read(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	env := apitest.New(t, apitest.Options{})
	creds, err := credentials.New(ctx, env.DB)
	if err != nil {
		t.Fatal(err)
	}
	deps := v1import.Deps{Handler: commands.NewHandler(env.Store, commands.NewCodec(), commands.Options{}), Credentials: creds}
	if _, err := v1import.Import(ctx, deps, src, v1import.Options{StoreCode: "MAD1"}); err != nil {
		t.Fatal(err)
	}
	users := commands.NewUsers(deps.Handler, creds, nil)
	u, err := users.Lookup(ctx, "juan")
	if err != nil {
		t.Fatal(err)
	}
	hash := func() string {
		h, _, err := creds.PasswordHash(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if h := hash(); !strings.HasPrefix(h, "$2b$") {
		t.Fatalf("imported hash %q is not the v1 bcrypt hash", h)
	}
	if r := env.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "juan", "password": "wrong-password-1"}); r.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", r.Status)
	}
	env.Login("juan", password)
	if h := hash(); !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("after the first login the hash is %q, not the product's own", h)
	}
	env.Login("juan", password)
	for _, name := range sum.Inactive {
		if r := env.Do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": name, "password": password}); r.Status != http.StatusUnauthorized {
			t.Fatalf("inactive v1 user %s: %d", name, r.Status)
		}
	}
}
