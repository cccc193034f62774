package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/reservation"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/user"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// mapCredentials is an in-memory CredentialStore for handler tests (the PostgreSQL one is
// tested in internal/credentials).
type mapCredentials struct {
	mu     sync.Mutex
	m      map[string]string
	access map[string]commands.UserAccess
	rev    map[string]uint64
}

func (c *mapCredentials) SetAccess(_ context.Context, id string, revision uint64, a commands.UserAccess) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.rev[id]; ok && r >= revision {
		return nil
	}
	old, synced := c.access[id], c.rev[id] > 0 || c.access[id].Synced
	a.Epoch, a.ScopeEpoch = old.Epoch, old.ScopeEpoch
	if a.Disabled && !old.Disabled {
		a.Epoch++
	}
	if synced && (!slices.Equal(a.Roles, old.Roles) || !slices.Equal(a.StoreIDs, old.StoreIDs)) {
		a.ScopeEpoch++
	}
	c.access[id], c.rev[id] = a, revision
	return nil
}

func (c *mapCredentials) Credential(_ context.Context, id string) (commands.Credential, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[id]
	return commands.Credential{PasswordHash: h, Access: c.access[id]}, ok, nil
}

func (c *mapCredentials) UserIDs(context.Context) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]string, 0, len(c.m))
	for id := range c.m {
		ids = append(ids, id)
	}
	return ids, nil
}

func (c *mapCredentials) SetPasswordHash(_ context.Context, id, hash string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; ok {
		a := c.access[id]
		a.Epoch++
		c.access[id] = a
	}
	c.m[id] = hash
	return nil
}

func (c *mapCredentials) PasswordHash(_ context.Context, id string) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[id]
	return h, ok, nil
}

func (c *mapCredentials) Count(context.Context) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m), nil
}

func newUsers(t *testing.T) (*commands.Users, eventstore.Store) {
	t.Helper()
	store := memstore.New()
	codec := eventstore.NewCodec()
	user.Register(codec)
	reservation.Register(codec)
	h := commands.NewHandler(store, codec, commands.Options{MaxRetries: 32})
	return commands.NewUsers(h, &mapCredentials{m: map[string]string{}, access: map[string]commands.UserAccess{}, rev: map[string]uint64{}}, time.Now), store
}

func TestUsernamesAreUniqueOnTheWriteSide(t *testing.T) {
	users, _ := newUsers(t)
	ctx := context.Background()
	const racers = 10
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint("u", i)
			_, errs[i] = users.Register(ctx, commands.Context{ID: "register-" + id},
				user.RegisterUser{UserID: id, Username: "Alice", Roles: []string{"admin"}}, "hash-"+id)
		}()
	}
	wg.Wait()
	winners := 0
	for _, err := range errs {
		switch {
		case err == nil:
			winners++
		case !errors.Is(err, rules.ErrDuplicate):
			t.Fatalf("a losing registration got %v, want ErrDuplicate", err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d registrations of one username succeeded, want 1", winners)
	}
	got, err := users.Lookup(ctx, "ALICE")
	if err != nil {
		t.Fatal(err)
	}
	hash, found, _ := users.PasswordHash(ctx, got.ID)
	if !found || hash != "hash-"+got.ID {
		t.Fatalf("the winner %s has hash %q, want its own", got.ID, hash)
	}
}

func TestUserLifecycle(t *testing.T) {
	users, store := newUsers(t)
	ctx := context.Background()
	reg := user.RegisterUser{UserID: "u1", Username: "bob", Roles: []string{"cashier"}, StoreIDs: []string{"s1"}}
	if _, err := users.Register(ctx, commands.Context{ID: "r1", UserID: "admin"}, reg, "h1"); err != nil {
		t.Fatal(err)
	}
	again, err := users.Register(ctx, commands.Context{ID: "r1", UserID: "admin"}, reg, "other-hash")
	if err != nil || !again.Replayed {
		t.Fatalf("retried registration = %+v, %v; want a replay", again, err)
	}
	if h, _, _ := users.PasswordHash(ctx, "u1"); h != "h1" {
		t.Fatalf("a retried registration changed the password hash to %q without an event", h)
	}
	if _, err := users.Register(ctx, commands.Context{ID: "bad"}, user.RegisterUser{UserID: "u2", Username: "x", Roles: []string{"admin"}}, "h"); !errors.Is(err, rules.ErrValidation) {
		t.Fatalf("invalid registration: %v", err)
	}
	if owner, _ := commands.Owner(ctx, commands.NewHandler(store, users2codec(), commands.Options{}), "username:x"); owner != "" {
		t.Fatalf("an invalid registration reserved its username for %q", owner)
	}
	if _, err := users.ChangeRoles(ctx, commands.Context{ID: "c1"}, "u1", user.ChangeRoles{Roles: []string{"manager"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := users.SetPassword(ctx, commands.Context{ID: "p1"}, "u1", "h2", false); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Disable(ctx, commands.Context{ID: "d1"}, "u1", user.Disable{Reason: "left"}); err != nil {
		t.Fatal(err)
	}
	if _, err := users.SetPassword(ctx, commands.Context{ID: "p2"}, "u1", "h3", false); !errors.Is(err, user.ErrDisabled) {
		t.Fatalf("disabled user changing password: %v", err)
	}
	if h, _, _ := users.PasswordHash(ctx, "u1"); h != "h2" {
		t.Fatalf("a refused password change stored its hash: %q", h)
	}
	s, err := users.Lookup(ctx, "bob")
	if err != nil || !s.Disabled || s.Roles[0] != "manager" {
		t.Fatalf("bob = %+v, %v", s, err)
	}
	if _, err := users.Get(ctx, "nobody"); !errors.Is(err, rules.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	evs, _ := store.ReadStream(ctx, "user-u1", eventstore.Forwards, 0, 100)
	for _, e := range evs {
		if bytes.Contains(e.Data, []byte(`"h1"`)) || bytes.Contains(e.Data, []byte(`"h2"`)) {
			t.Fatalf("event %s carries a password hash: %s", e.Type, e.Data)
		}
	}
	if n, _ := users.Count(ctx); n != 1 {
		t.Fatalf("count = %d, want 1", n)
	}
}

func users2codec() *eventstore.Codec {
	c := eventstore.NewCodec()
	reservation.Register(c)
	return c
}
