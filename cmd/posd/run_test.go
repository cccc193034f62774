package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/api/ops"
	"github.com/odata-pos/pos/internal/config"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/internal/poll"
)

// logSink collects posd's log output and tells when a line containing a string appears.
type logSink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	waiters map[string]chan struct{}
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	for substr, ch := range s.waiters {
		if strings.Contains(s.buf.String(), substr) {
			close(ch)
			delete(s.waiters, substr)
		}
	}
	return len(p), nil
}

// seen returns a channel closed once the log contains substr.
func (s *logSink) seen(substr string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if strings.Contains(s.buf.String(), substr) {
		close(ch)
		return ch
	}
	if s.waiters == nil {
		s.waiters = map[string]chan struct{}{}
	}
	s.waiters[substr] = ch
	return ch
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// server is a posd started by startServer.
type server struct {
	base   string  // http://127.0.0.1:port
	ops    *server // the operational listener (POS_OPS_ADDR), nil when there is none
	logs   *logSink
	cancel context.CancelFunc
	done   chan struct{} // closed when run has returned
	err    error         // run's result, once done is closed
}

// wait waits for run to return and returns its result.
func (s *server) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-s.done:
		return s.err
	case <-time.After(30 * time.Second):
		t.Fatalf("posd did not stop within 30s; logs:\n%s", s.logs)
		return nil
	}
}

// testEnv is a configuration for a fresh database, a free port and a private data dir.
func testEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{
		"POS_HTTP_ADDR":    "127.0.0.1:0",
		"POS_DATABASE_URL": pgtest.NewDatabase(t),
		"POS_DATA_DIR":     t.TempDir(),
		"POS_LOG_LEVEL":    "debug",
	}
}

func lookupIn(env map[string]string) config.LookupFunc {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// startServer runs posd in-process until the test ends and waits until it listens.
func startServer(t *testing.T, env map[string]string, args []string, extra func(*mux.Router)) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{logs: &logSink{}, cancel: cancel, done: make(chan struct{})}
	addr, opsAddr := make(chan net.Addr, 1), make(chan net.Addr, 1)
	h := hooks{listening: func(a net.Addr) { addr <- a }, opsListening: func(a net.Addr) { opsAddr <- a }, routes: extra}
	var stderr bytes.Buffer
	go func() {
		defer close(s.done)
		s.err = runWith(ctx, args, lookupIn(env), s.logs, &stderr, h)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("posd did not stop within 30s of cancellation")
		}
	})
	select {
	case a := <-addr:
		s.base = "http://" + a.String()
		select {
		case a := <-opsAddr: // announced before the API's address
			s.ops = &server{base: "http://" + a.String(), logs: s.logs}
		default:
		}
	case <-s.done:
		t.Fatalf("posd stopped at start: %v\nstderr: %s\nlogs:\n%s", s.err, stderr.String(), s.logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("posd did not listen within 60s; logs:\n%s", s.logs)
	}
	return s
}

func (s *server) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

func (s *server) readyz(t *testing.T) (int, ops.Report) {
	t.Helper()
	code, body := s.get(t, "/readyz")
	var rep ops.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("readyz body %q: %v", body, err)
	}
	return code, rep
}

// readyzLed is /readyz once the read side check is up: in the role all, the projector takes
// every projection's leadership shortly after posd starts serving. It fails the test when the
// check is missing, required, or not up within 30 s.
func (s *server) readyzLed(t *testing.T) (int, ops.Report) {
	t.Helper()
	var code int
	var rep ops.Report
	poll.Eventually(t, 30*time.Second, func() bool {
		code, rep = s.readyz(t)
		c, ok := checkOf(rep, readSideCheckName)
		if !ok || c.Required {
			t.Fatalf("readyz has no optional %s check: %+v", readSideCheckName, rep)
		}
		return c.Status == ops.StateUp
	}, func() string { return fmt.Sprintf("the read side is still down in /readyz: %+v", rep) })
	return code, rep
}

func checkOf(rep ops.Report, name string) (ops.CheckResult, bool) {
	for _, c := range rep.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return ops.CheckResult{}, false
}

func TestServerHealthReadinessMetrics(t *testing.T) {
	s := startServer(t, testEnv(t), nil, nil)

	code, rep := s.readyzLed(t)
	if code != http.StatusOK || rep.Status != ops.StatusReady {
		t.Fatalf("readyz = %d %+v, want 200 ready", code, rep)
	}
	for _, name := range []string{"eventstore", "postgres", "redis"} {
		c, ok := checkOf(rep, name)
		if !ok || c.Status != ops.StateUp || c.LatencyMS <= 0 {
			t.Errorf("check %s = %+v, want up with a latency", name, c)
		}
	}
	if c, _ := checkOf(rep, "redis"); c.Required {
		t.Error("redis must not be required")
	}

	if code, body := s.get(t, "/healthz"); code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz = %d %s", code, body)
	}
	if code, body := s.get(t, "/api/v1/no-such-route"); code != http.StatusNotFound || !strings.Contains(body, "route_not_found") {
		t.Errorf("unknown API route = %d %s, want a 404 problem", code, body)
	}

	code, metrics := s.get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("metrics = %d", code)
	}
	for _, want := range []string{
		`pos_http_request_duration_seconds_bucket{class="ops",code="200",method="GET",route="/readyz"`,
		`pos_http_request_duration_seconds_count{class="ops",code="200",method="GET",route="/healthz"} 1`,
		`pos_dependency_up{dependency="projections",required="false"} 1`,
		`pos_eventstore_head_position `,
		`pos_dependency_up{dependency="eventstore",required="true"} 1`,
		`pos_dependency_up{dependency="redis",required="false"} 1`,
		`pos_build_info{role="all",version="dev"} 1`,
		"go_goroutines ",
		"process_cpu_seconds_total ",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	s.cancel()
	if err := s.wait(t); err != nil {
		t.Errorf("run after cancel = %v, want nil", err)
	}
	if !strings.Contains(s.logs.String(), "posd stopped") {
		t.Errorf("no clean stop in the logs:\n%s", s.logs)
	}
}

func TestServerCreatesMissingDatabase(t *testing.T) {
	env := testEnv(t)
	u, err := url.Parse(env["POS_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/") + "_new"
	u.Path = "/" + name
	env["POS_DATABASE_URL"] = u.String()
	t.Cleanup(func() { dropDatabase(t, name) })

	s := startServer(t, env, nil, nil)
	if code, rep := s.readyz(t); code != http.StatusOK {
		t.Fatalf("readyz = %d %+v", code, rep)
	}
	if !strings.Contains(s.logs.String(), `"msg":"created database","database":"`+name+`"`) {
		t.Errorf("no log of the database creation:\n%s", s.logs)
	}
}

func dropDatabase(t *testing.T, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		t.Errorf("connect to drop %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("drop %s: %v", name, err)
	}
}

func TestServerRedisDownIsDegradedNotFailing(t *testing.T) {
	env := testEnv(t)
	env["POS_REDIS_URL"] = "redis://127.0.0.1:1/0" // nothing listens on port 1
	env["POS_OPS_ADDR"] = "127.0.0.1:0"
	s := startServer(t, env, nil, nil).ops

	code, rep := s.readyz(t)
	if code != http.StatusOK || rep.Status != ops.StatusDegraded {
		t.Fatalf("readyz = %d %+v, want 200 degraded", code, rep)
	}
	c, ok := checkOf(rep, "redis")
	if !ok || c.Status != ops.StateDown || c.Error == "" {
		t.Errorf("redis check = %+v, want down with an error", c)
	}
	if es, _ := checkOf(rep, "eventstore"); es.Status != ops.StateUp {
		t.Errorf("eventstore check = %+v, want up", es)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "redis unavailable at start") || !strings.Contains(logs, `"msg":"dependency down","dependency":"redis"`) {
		t.Errorf("redis loss not logged:\n%s", logs)
	}
	if _, metrics := s.get(t, "/metrics"); !strings.Contains(metrics, `pos_dependency_up{dependency="redis",required="false"} 0`) {
		t.Error("pos_dependency_up{redis} is not 0")
	}
}

func TestServerRedisDisabled(t *testing.T) {
	env := testEnv(t)
	env["POS_REDIS_URL"] = ""
	s := startServer(t, env, nil, nil)
	code, rep := s.readyzLed(t)
	if code != http.StatusOK || rep.Status != ops.StatusReady {
		t.Fatalf("readyz = %d %+v", code, rep)
	}
	if _, ok := checkOf(rep, "redis"); ok {
		t.Error("redis is checked although disabled")
	}
}

func TestServerProjectorRoleServesOpsOnly(t *testing.T) {
	s := startServer(t, testEnv(t), []string{"--role", "projector"}, nil)
	if code, _ := s.readyz(t); code != http.StatusOK {
		t.Fatalf("readyz = %d", code)
	}
	if code, body := s.get(t, "/api/v1/no-such-route"); code != http.StatusNotFound || strings.Contains(body, "route_not_found") {
		t.Errorf("projector role mounted the API: %d %s", code, body)
	}
	if _, metrics := s.get(t, "/metrics"); !strings.Contains(metrics, `pos_build_info{role="projector"`) {
		t.Error("pos_build_info lacks the projector role")
	}
}

// TestServerExportsThePoliciesLag: a projector exports each policy's lag (stale stock must not
// hide behind a projection lag of zero).
func TestServerExportsThePoliciesLag(t *testing.T) {
	s := startServer(t, testEnv(t), []string{"--role", "projector"}, nil)
	_, metrics := s.get(t, "/metrics")
	for _, want := range []string{`pos_policy_lag_positions{policy="sale-stock"}`, `pos_policy_lag_seconds{policy="return-stock"}`,
		`pos_policy_events_handled_total{policy="transfer-stock"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// slowRoute registers /test/slow, which signals entered and answers only once release is
// closed.
func slowRoute(entered chan<- struct{}, release <-chan struct{}) func(*mux.Router) {
	return func(r *mux.Router) {
		r.HandleFunc("/test/slow", func(w http.ResponseWriter, _ *http.Request) {
			entered <- struct{}{}
			<-release
			_, _ = io.WriteString(w, "done")
		})
	}
}

type result struct {
	code int
	body string
	err  error
}

func (s *server) getAsync(path string) <-chan result {
	ch := make(chan result, 1)
	go func() {
		resp, err := http.Get(s.base + path)
		if err != nil {
			ch <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		ch <- result{code: resp.StatusCode, body: string(b), err: err}
	}()
	return ch
}

func TestGracefulShutdownOnSIGTERMFinishesInFlightRequest(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	s := startServer(t, testEnv(t), nil, slowRoute(entered, release))
	shuttingDown := s.logs.seen(`"msg":"shutting down"`)

	inflight := s.getAsync("/test/slow")
	<-entered
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-shuttingDown:
	case <-time.After(10 * time.Second):
		t.Fatalf("SIGTERM did not start the shutdown; logs:\n%s", s.logs)
	}

	// The listener closes while the slow request is still being served.
	host := strings.TrimPrefix(s.base, "http://")
	poll.Eventually(t, 10*time.Second, func() bool {
		conn, err := net.DialTimeout("tcp", host, time.Second)
		if err != nil {
			return true
		}
		conn.Close()
		return false
	}, poll.Is("posd still accepts connections after SIGTERM"))
	select {
	case <-s.done:
		t.Fatalf("run returned (%v) with a request in flight", s.err)
	default:
	}

	close(release)
	res := <-inflight
	if res.err != nil || res.code != http.StatusOK || res.body != "done" {
		t.Errorf("in-flight request = %+v, want 200 done", res)
	}
	if err := s.wait(t); err != nil {
		t.Errorf("run = %v, want nil after a graceful shutdown", err)
	}
}

func TestShutdownTimeoutCutsOffStuckRequests(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	defer close(release)
	env := testEnv(t)
	env["POS_SHUTDOWN_TIMEOUT"] = "200ms"
	s := startServer(t, env, nil, slowRoute(entered, release))

	inflight := s.getAsync("/test/slow")
	<-entered
	s.cancel()
	err := s.wait(t)
	if err == nil || !strings.Contains(err.Error(), "still in flight") {
		t.Errorf("run = %v, want a shutdown timeout error", err)
	}
	if res := <-inflight; res.err == nil {
		t.Errorf("stuck request completed (%+v), want its connection closed", res)
	}
}

func TestBadConfigurationListsEveryProblem(t *testing.T) {
	env := map[string]string{
		"POS_HTTP_ADDR":    "not-an-address",
		"POS_DATABASE_URL": "mysql://db/pos",
		"POS_LOG_FORMAT":   "xml",
		"POS_REDIS_URL":    "nope",
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--role", "cashier"}, lookupIn(env), &stdout, &stderr)
	if !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("run = %v, want config.ErrInvalid", err)
	}
	var report bytes.Buffer
	if code := exitCode(err, &report); code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	for _, name := range []string{"POS_HTTP_ADDR", "POS_DATABASE_URL", "POS_LOG_FORMAT", "POS_REDIS_URL", "--role"} {
		if !strings.Contains(report.String(), name) {
			t.Errorf("report lacks %s:\n%s", name, report.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("posd logged before validating its configuration: %s", stdout.String())
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.Join(config.ErrInvalid, errors.New("x")), 2},
		{errors.New("listen on :80: permission denied"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err, io.Discard); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	if err := run(context.Background(), []string{"-h"}, lookupIn(nil), io.Discard, io.Discard); exitCode(err, io.Discard) != 0 {
		t.Errorf("-h: exit code %d, want 0", exitCode(err, io.Discard))
	}
}

func TestStartFailsWhenPostgresIsUnreachable(t *testing.T) {
	env := map[string]string{
		"POS_HTTP_ADDR":    "127.0.0.1:0",
		"POS_DATABASE_URL": "postgres://127.0.0.1:1/pos?sslmode=disable&connect_timeout=2",
		"POS_DATA_DIR":     t.TempDir(),
	}
	err := run(context.Background(), nil, lookupIn(env), io.Discard, io.Discard)
	if err == nil || exitCode(err, io.Discard) != 1 || !strings.Contains(err.Error(), "connect to postgresql") {
		t.Errorf("run = %v, want a connection error with exit code 1", err)
	}
}

// TestOpsAddrTakesTheOpsEndpointsOffTheAPIListener runs posd with POS_OPS_ADDR and with
// Redis down: /healthz, /readyz and /metrics answer on the ops listener only (the API
// listener answers 404), and only there does /readyz show the dependency's error text.
// Without POS_OPS_ADDR the API listener serves them, and its /readyz keeps every
// dependency's status but hides the error text.
func TestOpsAddrTakesTheOpsEndpointsOffTheAPIListener(t *testing.T) {
	env := testEnv(t)
	env["POS_REDIS_URL"] = "redis://127.0.0.1:1/0"
	env["POS_OPS_ADDR"] = "127.0.0.1:0"
	s := startServer(t, env, nil, nil)
	if s.ops == nil {
		t.Fatal("no ops listener announced")
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if code, body := s.get(t, path); code != http.StatusNotFound {
			t.Errorf("API listener %s = %d %.200s, want 404", path, code, body)
		}
		if code, _ := s.ops.get(t, path); code != http.StatusOK {
			t.Errorf("ops listener %s = %d, want 200", path, code)
		}
	}
	if _, rep := s.ops.readyz(t); !strings.Contains(fmt.Sprint(rep), "127.0.0.1:1") {
		t.Errorf("ops /readyz hides the redis error: %+v", rep)
	}
	if code, _ := s.get(t, "/api/v1/openapi.yaml"); code != http.StatusOK {
		t.Errorf("API listener stopped serving the API: %d", code)
	}

	delete(env, "POS_OPS_ADDR")
	env["POS_DATABASE_URL"] = pgtest.NewDatabase(t)
	single := startServer(t, env, nil, nil)
	if single.ops != nil {
		t.Fatal("an ops listener without POS_OPS_ADDR")
	}
	code, body := single.get(t, "/readyz")
	var rep ops.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if c, _ := checkOf(rep, "redis"); code != http.StatusOK || c.Status != ops.StateDown || strings.Contains(body, "127.0.0.1:1") || strings.Contains(body, `"error"`) {
		t.Errorf("API listener /readyz = %d %s, want redis down without its error text", code, body)
	}
}
