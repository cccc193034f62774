package users

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Queries answers user list queries from the stable view.
type Queries struct {
	db readkit.Querier
}

// NewQueries returns Queries reading through db.
func NewQueries(db readkit.Querier) *Queries { return &Queries{db: db} }

// User is a user as listed.
type User struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Roles     []string  `json:"roles"`
	StoreIDs  []string  `json:"store_ids"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Filter selects users: Q matches usernames by substring, Role and StoreID by membership
// (a user with no store IDs is in every store).
type Filter struct {
	Q        string
	Role     string
	StoreID  string
	Disabled *bool
}

// List lists users; sorts: username (default), created_at.
func (q *Queries) List(ctx context.Context, f Filter, req readkit.Request) (readkit.Page[User], error) {
	l := &readkit.List[User]{
		Select:   `SELECT id, username, roles, store_ids, disabled, created_at, updated_at FROM ` + projections.Table(Name, "users"),
		IDColumn: "id", IDType: "text", ID: func(u User) string { return u.ID },
		Sorts: []readkit.Sort[User]{
			{Name: "username", Column: "username", Type: "text", Key: func(u User) string { return u.Username }},
			{Name: "created_at", Column: "created_at", Type: "timestamptz", Key: func(u User) string { return readkit.TimeKey(u.CreatedAt) }},
		},
		Default: "username",
		Scan: func(r pgx.CollectableRow) (u User, err error) {
			err = r.Scan(&u.ID, &u.Username, &u.Roles, &u.StoreIDs, &u.Disabled, &u.CreatedAt, &u.UpdatedAt)
			return u, err
		},
	}
	if f.Q != "" {
		l.Where("strpos(lower(username), lower(" + l.Arg(f.Q) + ")) > 0")
	}
	if f.Role != "" {
		l.Where(l.Arg(f.Role) + " = ANY(roles)")
	}
	if f.StoreID != "" {
		l.Where("(" + l.Arg(f.StoreID) + " = ANY(store_ids) OR cardinality(store_ids) = 0)")
	}
	if f.Disabled != nil {
		l.Where("disabled = " + l.Arg(*f.Disabled))
	}
	return l.Run(ctx, q.db, req)
}
