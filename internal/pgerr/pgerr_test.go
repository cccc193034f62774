package pgerr_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/odata-pos/pos/internal/pgerr"
	"github.com/odata-pos/pos/internal/pgtest"
)

// closedPort returns a local address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func TestUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, refused := pgx.Connect(ctx, "postgres://postgres@"+closedPort(t)+"/x?sslmode=disable&connect_timeout=2")
	if refused == nil {
		t.Fatal("connect to a closed port succeeded")
	}
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	_, undefined := conn.Exec(ctx, `SELECT * FROM no_such_table`)
	_, shutdown := conn.Exec(ctx, `DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '57P01'; END $$`)
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"refused", fmt.Errorf("query: %w", refused), true},
		{"server shutting down", shutdown, true},
		{"undefined table", undefined, false},
		{"nil", nil, false},
		{"canceled", context.Canceled, false},
		{"other", errors.New("boom"), false},
		{"pg unique violation", &pgconn.PgError{Code: "23505"}, false},
	} {
		if got := pgerr.Unreachable(c.err); got != c.want {
			t.Errorf("%s (%v): Unreachable = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
