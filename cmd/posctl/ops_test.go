package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
)

// posEnv is the POS_* environment of posctl against the database at url, run by $USER alice.
func posEnv(t *testing.T, url string) func(string) (string, bool) {
	return lookup(map[string]string{
		"POS_DATABASE_URL": url, "POS_JWT_SECRET": "apitest-signing-key-0123456789abcdef",
		"POS_REDIS_URL": "", "POS_DATA_DIR": t.TempDir(), "USER": "alice",
	})
}

// TestMigrateAFreshDatabase migrates an empty database twice (idempotent) and finds the
// tables of the event store, the projection runner and the credentials.
func TestMigrateAFreshDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, url := newPool(t)
	vars := posEnv(t, url)
	var out bytes.Buffer
	for range 2 {
		out.Reset()
		if err := run(ctx, []string{"migrate"}, vars, &out, &out); err != nil {
			t.Fatalf("migrate: %v\n%s", err, out.String())
		}
	}
	for _, want := range []string{"event store: migrated", "projections: migrated", "credentials: migrated"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("migrate printed %q, missing %q", out.String(), want)
		}
	}
	for _, table := range []string{"events", "pos_eventstore_migrations", "projection_checkpoints", "user_credentials"} {
		var ok bool
		if err := db.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, "public."+table).Scan(&ok); err != nil || !ok {
			t.Fatalf("table %s after migrate: %v %v", table, ok, err)
		}
	}
	if err := run(ctx, []string{"migrate", "now"}, vars, &out, &out); !errors.Is(err, errUsage) {
		t.Fatalf("migrate with an argument: %v", err)
	}
}

// TestCreateAdminThenLogin creates an admin through the CLI (password from stdin) and logs in
// with it through the API; a second create-admin of the name is refused and leaves the
// password alone.
func TestCreateAdminThenLogin(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	vars := posEnv(t, e.DB.Config().ConnString())
	createAdmin := func(name, stdin string) (string, error) {
		var out bytes.Buffer
		err := runUsers(ctx, env{args: []string{"create-admin", "--username", name}, lookup: vars,
			stdout: &out, stderr: &out, stdin: strings.NewReader(stdin)})
		return out.String(), err
	}
	if out, err := createAdmin("Root", "root-password-1\n"); err != nil || !strings.HasPrefix(out, "created admin Root") {
		t.Fatalf("create-admin: %v\n%s", err, out)
	}

	// The write side: a user stream with the admin role, and an argon2id hash of the password.
	u, err := e.API.Users.Lookup(ctx, "root")
	if err != nil || !slices.Equal(u.Roles, []string{"admin"}) || u.Disabled {
		t.Fatalf("user: %+v %v", u, err)
	}
	hash, found, err := e.API.Users.PasswordHash(ctx, u.ID)
	if err != nil || !found || !strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("hash %q %v %v", hash, found, err)
	}
	if ok, _, err := e.API.Passwords.Verify(ctx, "root-password-1", hash); !ok || err != nil {
		t.Fatalf("the stored hash does not verify the password: %v", err)
	}
	events, err := e.Store.ReadStream(ctx, commands.UserStream(u.ID), eventstore.Forwards, 0, 10)
	if err != nil || len(events) != 1 || events[0].Metadata.UserID != "posctl:alice" {
		t.Fatalf("user stream: %+v %v", events, err)
	}

	// The API: log in, and act as an admin.
	token := e.Login("root", "root-password-1")
	me := e.Must(http.StatusOK, http.MethodGet, "/api/v1/auth/me", token, nil).Map(t)
	if me["id"] != u.ID {
		t.Fatalf("me = %v, want %s", me, u.ID)
	}
	e.Must(http.StatusOK, http.MethodGet, "/api/v1/users/"+u.ID, token, nil)

	if out, err := createAdmin("root", "other-password-2\n"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second create-admin: %v\n%s", err, out)
	}
	e.Login("root", "root-password-1")
	if _, err := createAdmin("shorty", "short\n"); err == nil {
		t.Fatal("a too short password was accepted")
	}
	if _, err := e.API.Users.Lookup(ctx, "shorty"); err == nil {
		t.Fatal("a refused create-admin wrote a user")
	}
	if _, err := createAdmin("", "root-password-1\n"); !errors.Is(err, errUsage) {
		t.Fatalf("create-admin without --username: %v", err)
	}
}

// catchUp runs every projection of the shop's database until it has applied the head of $all.
func catchUp(t *testing.T, db *pgxpool.Pool, store eventstore.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	head, err := store.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := projections.New(projections.Config{Pool: db, Store: store, Projections: allProjections(), ID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()
	for _, p := range allProjections() {
		if err := r.WaitFor(ctx, p.Name(), head); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// TestProjectionsStatusRebuildSkip lists the projections of a shop, asks for a rebuild, and
// skips the event a failed projection stopped on, logging who did.
func TestProjectionsStatusRebuildSkip(t *testing.T) {
	e := shop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	catchUp(t, e.DB, e.Store)
	vars := posEnv(t, e.DB.Config().ConnString())
	var out, log bytes.Buffer
	cli := func(args ...string) error {
		out.Reset()
		log.Reset()
		return run(ctx, append([]string{"projections"}, args...), vars, &out, &log)
	}
	if err := cli("status"); err != nil {
		t.Fatalf("status: %v\n%s", err, log.String())
	}
	names := allProjections()
	for _, p := range names {
		if !strings.Contains(out.String(), "\n"+p.Name()+" ") {
			t.Fatalf("status does not list %s:\n%s", p.Name(), out.String())
		}
	}
	name := names[0].Name()

	if err := cli("rebuild", name); err != nil || !strings.Contains(out.String(), "rebuild of "+name+" requested by alice") {
		t.Fatalf("rebuild: %v\n%s%s", err, out.String(), log.String())
	}
	if err := cli("rebuild", name); !errors.Is(err, projections.ErrRebuildInProgress) {
		t.Fatalf("second rebuild: %v", err)
	}
	// The next generation is recorded beside the live one (stopped: no runner leads it here).
	if err := cli("status", "--json"); err != nil {
		t.Fatalf("status --json: %v\n%s", err, log.String())
	}
	var st []projections.ProjectionStatus
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(st, func(s projections.ProjectionStatus) bool { return s.Name == name && !s.Live }) {
		t.Fatalf("no generation of %s is being rebuilt:\n%s", name, out.String())
	}
	if err := cli("rebuild", "no_such_projection"); !errors.Is(err, projections.ErrUnknownProjection) {
		t.Fatalf("rebuild of an unknown projection: %v", err)
	}

	// A projection stopped on a poison event (as the runner records it), then skipped.
	other := names[1].Name()
	var pos int64
	if err := e.DB.QueryRow(ctx, `UPDATE projection_checkpoints SET status = 'failed', error_position = position + 1,
		last_error = 'poison' WHERE name = $1 AND live RETURNING error_position`, other).Scan(&pos); err != nil {
		t.Fatal(err)
	}
	at := strconv.FormatInt(pos, 10)
	if err := cli("skip", other, strconv.FormatInt(pos+1, 10)); !errors.Is(err, projections.ErrNotFailedAt) {
		t.Fatalf("skip of another position: %v", err)
	}
	if err := cli("skip", other, at); err != nil {
		t.Fatalf("skip: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "projection event skipped by operator") || !strings.Contains(log.String(), "operator=alice") ||
		!strings.Contains(log.String(), "position="+at) {
		t.Fatalf("the skip is not logged with its operator:\n%s", log.String())
	}
	var status string
	var skipped []int64
	if err := e.DB.QueryRow(ctx, `SELECT status, skipped FROM projection_checkpoints WHERE name = $1 AND live`, other).Scan(&status, &skipped); err != nil ||
		status != "running" || !slices.Contains(skipped, pos) {
		t.Fatalf("after skip: %s %v %v", status, skipped, err)
	}
	for _, args := range [][]string{{}, {"skip", other}, {"skip", other, "x"}, {"rebuild"}, {"frobnicate"}} {
		if err := cli(args...); !errors.Is(err, errUsage) {
			t.Fatalf("projections %v: %v", args, err)
		}
	}
}

// TestProjectionsStatusListsThePolicies: the status also lists the write side's policies with
// their lag (no policy runs here, so sale-stock has the shop's completed sales to handle).
func TestProjectionsStatusListsThePolicies(t *testing.T) {
	e := shop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, log bytes.Buffer
	if err := run(ctx, []string{"projections", "status"}, posEnv(t, e.DB.Config().ConnString()), &out, &log); err != nil {
		t.Fatalf("status: %v\n%s", err, log.String())
	}
	lines := strings.Split(out.String(), "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "sale-stock ") })
	if i < 0 || !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "POLICY ") }) {
		t.Fatalf("status does not list the policies:\n%s", out.String())
	}
	if f := strings.Fields(lines[i]); len(f) != 5 || f[1] != "0" || f[3] == "0" {
		t.Fatalf("sale-stock row %q: want checkpoint 0 and a lag", lines[i])
	}
}
