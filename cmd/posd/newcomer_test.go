package main

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestReadmeListsEveryMetric: every pos_* metric family a posd in all its roles exports is named
// in the README's /metrics row, so the list cannot drift from the code.
func TestReadmeListsEveryMetric(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for line := range strings.SplitSeq(string(readme), "\n") {
		if strings.HasPrefix(line, "| `GET /metrics` |") {
			row = line
		}
	}
	if row == "" {
		t.Fatal("README has no `GET /metrics` row")
	}
	env := testEnv(t)
	env["POS_BOOTSTRAP_ADMIN_USERNAME"] = "admin"
	env["POS_BOOTSTRAP_ADMIN_PASSWORD"] = "correct-horse-battery-staple"
	// With a broker configured, "all" runs the publisher too (it publishes nothing here: the
	// bootstrap admin's events are not integration events).
	env["POS_PUBLISH_URL"] = "nats://127.0.0.1:4222?prefix=readme" + strconv.Itoa(os.Getpid())
	s := startServer(t, env, nil, nil)
	<-s.logs.seen("posd ready to serve")
	_, metrics := s.get(t, "/metrics")
	families := regexp.MustCompile(`(?m)^# TYPE (pos_[a-z_]+) `).FindAllStringSubmatch(metrics, -1)
	if len(families) < 5 {
		t.Fatalf("only %d pos_* families in /metrics:\n%s", len(families), metrics)
	}
	for _, f := range families {
		if !strings.Contains(row, "`"+f[1]) {
			t.Errorf("README's /metrics row does not name %s", f[1])
		}
	}
}

// TestMakeRunSaysWhatItDoes: `make run` announces the first build (a minute or two) and that
// posd then stays in the foreground until Ctrl-C.
func TestMakeRunSaysWhatItDoes(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	cmd := exec.Command("make", "-n", "run", "BIN="+t.TempDir())
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n run: %v\n%s", err, out)
	}
	for _, want := range []string{"first build", "a minute or two", "in the foreground", "Ctrl-C"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("make run does not say %q:\n%s", want, out)
		}
	}
}
