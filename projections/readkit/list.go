package readkit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Limits of a page.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Querier is what queries read with: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Page is one page of a list: {"items": [...], "next_cursor": "…"}; NextCursor is empty on the
// last page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Request is the paging part of a list request.
type Request struct {
	// Limit is the page size; 0 means DefaultLimit, more than MaxLimit is an error.
	Limit int
	// Cursor is the next_cursor of the previous page, empty for the first.
	Cursor string
	// Sort names the order, e.g. "name" or "-created_at"; empty means the list's default.
	Sort string
}

// Sort is one order a list offers: the rows ordered by Column (then by the list's ID column)
// ascending, or descending when asked as "-Name".
type Sort[T any] struct {
	// Name is the sort's name in ?sort= (without the "-").
	Name string
	// Column is the SQL expression ordered by; it must never be NULL.
	Column string
	// Type is the PostgreSQL type the cursor's key is cast to ("text", "timestamptz", "bigint").
	Type string
	// Key renders the sort key of an item as text that casts back to Type.
	Key func(T) string
}

// List describes a list query: the SELECT without WHERE/ORDER, its filters, its sorts.
type List[T any] struct {
	// Select is "SELECT … FROM …" (no WHERE).
	Select string
	// IDColumn and IDType name the unique tie-breaker column and its type; ID renders it.
	IDColumn, IDType string
	ID               func(T) string
	// Sorts are the orders offered; Default (e.g. "-created_at") is used when none is asked.
	Sorts   []Sort[T]
	Default string
	// Scan reads one row.
	Scan func(pgx.CollectableRow) (T, error)

	conds []string
	args  []any
}

// Arg adds a query argument and returns its placeholder ("$3").
func (l *List[T]) Arg(v any) string {
	l.args = append(l.args, v)
	return "$" + strconv.Itoa(len(l.args))
}

// Where adds a condition (ANDed with the others); use Arg for its values.
func (l *List[T]) Where(cond string) { l.conds = append(l.conds, cond) }

// cursor is the decoded form of an opaque cursor.
type cursor struct {
	Sort string `json:"s"`
	Key  string `json:"k"`
	ID   string `json:"i"`
}

// Run reads one page of the list.
func (l *List[T]) Run(ctx context.Context, db Querier, req Request) (Page[T], error) {
	limit := req.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return Page[T]{}, Invalid("limit", fmt.Sprintf("must be between 1 and %d", MaxLimit))
	}
	name := req.Sort
	if name == "" {
		name = l.Default
	}
	desc := strings.HasPrefix(name, "-")
	var sort *Sort[T]
	for i := range l.Sorts {
		if l.Sorts[i].Name == strings.TrimPrefix(name, "-") {
			sort = &l.Sorts[i]
		}
	}
	if sort == nil {
		names := make([]string, 0, len(l.Sorts))
		for _, s := range l.Sorts {
			names = append(names, s.Name, "-"+s.Name)
		}
		return Page[T]{}, Invalid("sort", "must be one of "+strings.Join(names, ", "))
	}
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	if req.Cursor != "" {
		c, err := decodeCursor(req.Cursor)
		if err != nil || c.Sort != name {
			return Page[T]{}, Invalid("cursor", "is not a cursor of this list and sort")
		}
		l.Where(fmt.Sprintf("(%s, %s) %s (%s::%s, %s::%s)", sort.Column, l.IDColumn, cmp,
			l.Arg(c.Key), sort.Type, l.Arg(c.ID), l.IDType))
	}
	sql := l.Select
	if len(l.conds) > 0 {
		sql += " WHERE " + strings.Join(l.conds, " AND ")
	}
	sql += fmt.Sprintf(" ORDER BY %s %s, %s %s LIMIT %d", sort.Column, dir, l.IDColumn, dir, limit+1)
	rows, err := db.Query(ctx, sql, l.args...)
	if err != nil {
		return Page[T]{}, Translate("list", err)
	}
	items, err := pgx.CollectRows(rows, l.Scan)
	if err != nil {
		if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && req.Cursor != "" && strings.HasPrefix(pgErr.Code, "22") {
			return Page[T]{}, Invalid("cursor", "is not a cursor of this list and sort")
		}
		return Page[T]{}, Translate("list", err)
	}
	page := Page[T]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeCursor(cursor{Sort: name, Key: sort.Key(last), ID: l.ID(last)})
	}
	if page.Items == nil {
		page.Items = []T{}
	}
	return page, nil
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c) // strings only: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, err
	}
	return c, nil
}

// TimeKey renders a time as a cursor key (microseconds, as PostgreSQL keeps them).
func TimeKey(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// IntKey renders an integer as a cursor key.
func IntKey(n int64) string { return strconv.FormatInt(n, 10) }
