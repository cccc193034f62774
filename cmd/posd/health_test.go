package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/ops"
)

// TestHealthProbesTheRunningPosd: `posd health` with the environment of a running posd (its
// ops listener) exits 0 and shows /readyz's report.
func TestHealthProbesTheRunningPosd(t *testing.T) {
	env := testEnv(t)
	env["POS_OPS_ADDR"] = "127.0.0.1:0"
	s := startServer(t, env, nil, nil)
	<-s.logs.seen("posd ready to serve")
	if s.ops == nil {
		t.Fatal("posd has no ops listener")
	}
	env["POS_OPS_ADDR"] = strings.TrimPrefix(s.ops.base, "http://")
	var stdout, stderr bytes.Buffer
	if code := health(context.Background(), nil, lookupIn(env), &stdout, &stderr); code != 0 {
		t.Fatalf("posd health = %d, want 0\nstdout: %s\nstderr: %s", code, &stdout, &stderr)
	}
	if !strings.Contains(stdout.String(), ops.ReadyzPath+" answered 200") || !strings.Contains(stdout.String(), "postgres") {
		t.Errorf("posd health output %q lacks the URL, status or report", &stdout)
	}
}

// TestHealthExitCodes: 1 (never Docker's reserved 2) when /readyz answers 503, nothing
// listens, or the configuration is invalid; an all-interfaces listen address is probed on
// loopback.
func TestHealthExitCodes(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != ops.ReadyzPath {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"status":"x"}`))
	}))
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	_ = closed.Close()

	for _, tc := range []struct {
		name   string
		env    map[string]string
		status int
		want   int
	}{
		{"ready on all interfaces", map[string]string{"POS_HTTP_ADDR": "0.0.0.0:" + port}, http.StatusOK, 0},
		{"ops address wins", map[string]string{"POS_HTTP_ADDR": closedAddr, "POS_OPS_ADDR": ":" + port}, http.StatusOK, 0},
		{"not ready", map[string]string{"POS_HTTP_ADDR": "0.0.0.0:" + port}, http.StatusServiceUnavailable, 1},
		{"nothing listens", map[string]string{"POS_HTTP_ADDR": closedAddr}, http.StatusOK, 1},
		{"invalid configuration", map[string]string{"POS_HTTP_ADDR": "0.0.0.0:" + port, "POS_ENV": "staging"}, http.StatusOK, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status = tc.status
			var stdout, stderr bytes.Buffer
			if got := health(context.Background(), nil, lookupIn(tc.env), &stdout, &stderr); got != tc.want {
				t.Errorf("posd health = %d, want %d\nstdout: %s\nstderr: %s", got, tc.want, &stdout, &stderr)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if got := health(context.Background(), []string{"--bogus"}, lookupIn(nil), &stdout, &stderr); got != 1 {
		t.Errorf("posd health --bogus = %d, want 1", got)
	}
}
