package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
)

// TestDatabaseErrorNamesTheVariableAndItsSource: when the database cannot be opened, the
// error names POS_DATABASE_URL, the value used (without its password) and where it came
// from; --config FILE is read as posd reads it.
func TestDatabaseErrorNamesTheVariableAndItsSource(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, good := newPool(t)
	u, err := url.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("postgres", "hunter2")
	u.Path = "/pos_no_such_database_i16"
	missing := u.String()

	dir := t.TempDir()
	writeFile := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	missingFile := writeFile("missing.env", "POS_DATABASE_URL="+missing+"\nPOS_REDIS_URL=\n")
	goodFile := writeFile("good.env", "POS_DATABASE_URL="+good+"\nPOS_REDIS_URL=\n")
	noEnv := lookup(map[string]string{"POS_DATA_DIR": dir})

	for _, tc := range []struct {
		name   string
		args   []string
		lookup func(string) (string, bool)
		want   string // in the error; "" means success
	}{
		{"environment", []string{"migrate"}, lookup(map[string]string{"POS_DATABASE_URL": missing, "POS_REDIS_URL": ""}), "(from the environment)"},
		{"config file", []string{"--config", missingFile, "migrate"}, noEnv, "(from --config " + missingFile + ")"},
		{"config file that works", []string{"--config", goodFile, "migrate"}, noEnv, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(ctx, tc.args, tc.lookup, &out, &out)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("posctl %v: %v\n%s", tc.args, err, out.String())
				}
				return
			}
			if err == nil {
				t.Fatalf("posctl %v opened a database that does not exist", tc.args)
			}
			msg := err.Error()
			for _, want := range []string{"POS_DATABASE_URL=", "pos_no_such_database_i16", tc.want} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("error %q shows the password", msg)
			}
		})
	}
}

// TestCreateAdminIsAttributedToAnOperator: without $USER the admin's creation is attributed
// to uid@host instead of "unknown", and --as names the operator.
func TestCreateAdminIsAttributedToAnOperator(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	vars := lookup(map[string]string{
		"POS_DATABASE_URL": e.DB.Config().ConnString(), "POS_REDIS_URL": "", "POS_DATA_DIR": t.TempDir(),
	})
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		username string
		flags    []string
		want     string
	}{
		{"ci-admin", nil, fmt.Sprintf("posctl:uid %d@%s", os.Getuid(), host)},
		{"named-admin", []string{"--as", "deploy-bot"}, "posctl:deploy-bot"},
	} {
		var out bytes.Buffer
		args := append([]string{"create-admin", "--username", tc.username}, tc.flags...)
		if err := runUsers(ctx, env{args: args, lookup: vars, stdout: &out, stderr: &out,
			stdin: strings.NewReader("root-password-1\n")}); err != nil {
			t.Fatalf("create-admin %v: %v\n%s", args, err, out.String())
		}
		u, err := e.API.Users.Lookup(ctx, tc.username)
		if err != nil {
			t.Fatal(err)
		}
		events, err := e.Store.ReadStream(ctx, commands.UserStream(u.ID), eventstore.Forwards, 0, 10)
		if err != nil || len(events) != 1 || events[0].Metadata.UserID != tc.want {
			t.Errorf("create-admin %v: user stream %+v %v, want it attributed to %q", args, events, err, tc.want)
		}
	}
}
