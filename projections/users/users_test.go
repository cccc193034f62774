package users_test

import (
	"context"
	"testing"

	"github.com/odata-pos/pos/domain/user"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/users"
)

func TestFoldUsers(t *testing.T) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection { return []projections.Projection{users.New(c)} })
	q := users.NewQueries(e.Pool)
	md := eventstore.Metadata{UserID: "admin"}
	e.Append("user-1", md, user.Registered{UserID: "1", Username: "alice", Roles: []string{"cashier"}, StoreIDs: []string{"s1"}},
		user.RolesChanged{UserID: "1", Roles: []string{"cashier", "manager"}}, user.Disabled{UserID: "1"})
	e.Append("user-2", md, user.Registered{UserID: "2", Username: "bob", Roles: []string{"admin"}},
		user.StoreScopeChanged{UserID: "2", StoreIDs: nil}, user.Disabled{UserID: "2"}, user.Enabled{UserID: "2"})
	e.Append("user-3", md, user.Registered{UserID: "3", Username: "carol", Roles: []string{"cashier"}, StoreIDs: []string{"s2"}},
		user.PasswordChanged{UserID: "3"})
	e.Sync(users.Name)
	list := func(f users.Filter) []string {
		t.Helper()
		p, err := q.List(context.Background(), f, readkit.Request{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range p.Items {
			out = append(out, u.Username)
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    users.Filter
		want string
	}{
		{"all", users.Filter{}, "[alice bob carol]"},
		{"manager", users.Filter{Role: "manager"}, "[alice]"},
		{"disabled", users.Filter{Disabled: new(true)}, "[alice]"},
		{"store s2 (and every-store users)", users.Filter{StoreID: "s2"}, "[bob carol]"},
		{"q", users.Filter{Q: "AR"}, "[carol]"},
	} {
		if got := fmtList(list(c.f)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}
