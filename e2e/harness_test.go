// The harness: posd as a subprocess, and paced per-user HTTP clients.

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/internal/poll"
)

// posdBin is the posd binary built once by TestMain.
var posdBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pos-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	posdBin = filepath.Join(dir, "posd")
	build := exec.Command("go", "build", "-o", posdBin, "./cmd/posd")
	build.Dir = ".." // the module root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: build posd: %v\n", err)
		return 1
	}
	return m.Run()
}

// randHex returns n random bytes in hex.
func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

const (
	// adminUser prefixes the bootstrap admin's name, unique per posd: the bootstrap admin's ID
	// derives from its name, and the per-user API rate limit lives in the Redis every test shares.
	adminUser = "admin"
	adminPass = "e2e-admin-password-1"
	userPass  = "e2e-user-password-1"
	redisURL  = "redis://127.0.0.1:6379/0"
)

// freeAddr returns a free 127.0.0.1 port.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// posd is a running posd subprocess.
type posd struct {
	t     testing.TB
	base  string
	admin string // the bootstrap admin's username
	cmd   *exec.Cmd
	logs  *apitest.LogBuffer
	done  chan struct{}
	// http sends from an address of its own in 127.0.0.0/8: posd's login limits count attempts
	// per client IP in the shared Redis, which every test on the machine would otherwise share.
	http *http.Client
}

// loopbackClient returns an HTTP client whose connections come from a random 127.x.y.z.
func loopbackClient() *http.Client {
	var b [3]byte
	_, _ = rand.Read(b[:])
	ip := net.IPv4(127, b[0], b[1], 1+b[2]%254)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = d.DialContext
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// env is the environment of a posd for database dbURL; extra entries override.
func posdEnv(t testing.TB, dbURL string, extra map[string]string) map[string]string {
	env := map[string]string{
		"POS_HTTP_ADDR":                freeAddr(t),
		"POS_DATABASE_URL":             dbURL,
		"POS_REDIS_URL":                redisURL,
		"POS_DATA_DIR":                 t.TempDir(),
		"POS_BOOTSTRAP_ADMIN_USERNAME": adminUser + "-" + randHex(4),
		"POS_BOOTSTRAP_ADMIN_PASSWORD": adminPass,
		"POS_LOG_LEVEL":                "info",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// startPosd starts posd with env (see posdEnv) and args and waits until /readyz answers 200.
// The process is stopped (SIGTERM, then SIGKILL) when the test ends.
func startPosd(t testing.TB, env map[string]string, args ...string) *posd {
	t.Helper()
	cmd := exec.Command(posdBin, args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &posd{t: t, base: "http://" + env["POS_HTTP_ADDR"], admin: env["POS_BOOTSTRAP_ADMIN_USERNAME"], cmd: cmd, logs: &apitest.LogBuffer{}, done: make(chan struct{}), http: loopbackClient()}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start posd: %v", err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-p.done:
			t.Fatalf("posd exited at start (%v); logs:\n%s", cmd.ProcessState, p.logs)
		default:
		}
		resp, err := p.http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("posd not ready within 60s; logs:\n%s", p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends posd gracefully (SIGTERM), killing it after 20 s.
func (p *posd) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.t.Errorf("posd did not stop within 20s of SIGTERM; killing it")
		p.kill()
	}
}

// kill ends posd with SIGKILL and waits for it to be gone.
func (p *posd) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// client is one user's session against a posd, paced under the per-user rate limit.
type client struct {
	t       testing.TB
	p       *posd
	token   string
	limiter *rate.Limiter
	// last is the highest command position this client saw, for X-Consistent-With.
	mu   sync.Mutex
	last uint64
}

// response is an answer of posd.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *response) decode(t testing.TB, out any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, out); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r *response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

// login logs username in.
func (p *posd) login(t testing.TB, username, password string) *client {
	t.Helper()
	c := &client{t: t, p: p, limiter: rate.NewLimiter(15, 10)}
	r := c.do(http.StatusOK, http.MethodPost, "/api/v1/auth/login", map[string]any{"username": username, "password": password})
	var out struct {
		Access string `json:"access_token"`
	}
	r.decode(t, &out)
	c.token = out.Access
	return c
}

// send sends one request and returns the answer, retrying on 429.
func (c *client) send(method, path string, body any, headers ...string) *response {
	c.t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			c.t.Fatal(err)
		}
	}
	for attempt := 0; ; attempt++ {
		if err := c.limiter.Wait(context.Background()); err != nil {
			c.t.Fatal(err)
		}
		var rd io.Reader
		if raw != nil {
			rd = bytes.NewReader(raw)
		}
		req, err := http.NewRequest(method, c.p.base+path, rd)
		if err != nil {
			c.t.Fatal(err)
		}
		if raw != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := c.p.http.Do(req)
		if err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			c.t.Fatalf("%s %s: read: %v", method, path, err)
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < 10 {
			secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			c.t.Logf("%s %s: 429, retrying after %ds", method, path, max(secs, 1))
			time.Sleep(time.Duration(max(secs, 1)) * time.Second)
			continue
		}
		r := &response{Status: resp.StatusCode, Header: resp.Header, Body: b}
		if method != http.MethodGet && resp.StatusCode < 300 && len(b) > 0 && b[0] == '{' {
			var pos struct {
				Position uint64 `json:"position"`
			}
			if json.Unmarshal(b, &pos) == nil {
				c.mu.Lock()
				c.last = max(c.last, pos.Position)
				c.mu.Unlock()
			}
		}
		return r
	}
}

// do sends a request and fails the test unless the status is want.
func (c *client) do(want int, method, path string, body any, headers ...string) *response {
	c.t.Helper()
	r := c.send(method, path, body, headers...)
	if r.Status != want {
		c.t.Fatalf("%s %s = %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// position is the highest command position this client has seen.
func (c *client) position() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

func eur(cents int64) map[string]any { return map[string]any{"amount": cents, "currency": "EUR"} }

// eventually polls cond every 50 ms for up to 15 s.
func eventually(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	var state string
	poll.Eventually(t, 15*time.Second, func() bool {
		var ok bool
		ok, state = cond()
		return ok
	}, func() string { return what + ": never happened; last state: " + state })
}
