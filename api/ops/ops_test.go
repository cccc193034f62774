package ops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/api/ops"
	"github.com/odata-pos/pos/monitoring"
)

// switchable is a Checker whose answer the test sets.
type switchable struct {
	name     string
	required bool
	err      error
}

func (s *switchable) Name() string                { return s.name }
func (s *switchable) Required() bool              { return s.required }
func (s *switchable) Check(context.Context) error { return s.err }

func newServer(t *testing.T, logs io.Writer, checkers ...ops.Checker) (http.Handler, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(logs, nil))
	rd := ops.NewReadiness(log, monitoring.NewDependencyMetrics(reg), 50*time.Millisecond, checkers...)
	r := mux.NewRouter()
	ops.Mount(r, rd, reg)
	r.HandleFunc("/things/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	return ops.Instrument(monitoring.NewHTTPMetrics(reg), r), reg
}

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func readyz(t *testing.T, h http.Handler) (int, ops.Report) {
	t.Helper()
	rec := get(t, h, "/readyz")
	var rep ops.Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("readyz body %q: %v", rec.Body, err)
	}
	return rec.Code, rep
}

func TestHealthz(t *testing.T) {
	down := &switchable{name: "eventstore", required: true, err: errors.New("down")}
	h, _ := newServer(t, io.Discard, down)
	if rec := get(t, h, "/healthz"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("healthz = %d %s, want 200 even with a dependency down", rec.Code, rec.Body)
	}
}

func TestReadyzStates(t *testing.T) {
	store := &switchable{name: "eventstore", required: true}
	redis := &switchable{name: "redis"}
	var logs bytes.Buffer
	h, reg := newServer(t, &logs, store, redis)

	code, rep := readyz(t, h)
	if code != http.StatusOK || rep.Status != ops.StatusReady || len(rep.Checks) != 2 ||
		rep.Checks[0].Name != "eventstore" || rep.Checks[0].Status != ops.StateUp || !rep.Checks[0].Required {
		t.Fatalf("all up: %d %+v", code, rep)
	}

	redis.err = errors.New("connection refused")
	code, rep = readyz(t, h)
	if code != http.StatusOK || rep.Status != ops.StatusDegraded || rep.Checks[1].Status != ops.StateDown ||
		rep.Checks[1].Error != "connection refused" {
		t.Fatalf("optional down: %d %+v", code, rep)
	}
	if got := upValue(t, reg, "redis"); got != 0 {
		t.Errorf("pos_dependency_up{redis} = %v, want 0", got)
	}
	if !strings.Contains(logs.String(), "dependency down") {
		t.Errorf("no log line for redis going down:\n%s", logs.String())
	}

	store.err = errors.New("no route to host")
	if code, rep = readyz(t, h); code != http.StatusServiceUnavailable || rep.Status != ops.StatusUnavailable {
		t.Fatalf("required down: %d %+v", code, rep)
	}

	store.err, redis.err = nil, nil
	if code, rep = readyz(t, h); code != http.StatusOK || rep.Status != ops.StatusReady {
		t.Fatalf("recovered: %d %+v", code, rep)
	}
	if strings.Count(logs.String(), "dependency recovered") != 2 {
		t.Errorf("want one recovery line per dependency:\n%s", logs.String())
	}
	if got := upValue(t, reg, "redis"); got != 1 {
		t.Errorf("pos_dependency_up{redis} = %v, want 1", got)
	}
}

func upValue(t *testing.T, reg *prometheus.Registry, dep string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != monitoring.DependencyUpName {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "dependency" && l.GetValue() == dep {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{dependency=%q}", monitoring.DependencyUpName, dep)
	return 0
}

// slowChecker blocks until its context ends.
type slowChecker struct{}

func (slowChecker) Name() string   { return "slow" }
func (slowChecker) Required() bool { return true }
func (slowChecker) Check(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// panicky panics in Check.
type panicky struct{}

func (panicky) Name() string                { return "panicky" }
func (panicky) Required() bool              { return false }
func (panicky) Check(context.Context) error { panic("boom") }

func TestReadyzTimeoutAndPanic(t *testing.T) {
	h, _ := newServer(t, io.Discard, slowChecker{}, panicky{})
	code, rep := readyz(t, h)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("code = %d, want 503", code)
	}
	if !strings.Contains(rep.Checks[0].Error, "no answer within") {
		t.Errorf("timeout error = %q", rep.Checks[0].Error)
	}
	if !strings.Contains(rep.Checks[1].Error, "panicked") {
		t.Errorf("panic error = %q", rep.Checks[1].Error)
	}
}

func TestMetricsAndInstrumentation(t *testing.T) {
	h, _ := newServer(t, io.Discard)
	get(t, h, "/things/42")
	get(t, h, "/things/43")
	get(t, h, "/nowhere/at/all")

	rec := get(t, h, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics = %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`pos_http_request_duration_seconds_count{class="other",code="418",method="GET",route="/things/{id}"} 2`,
		`pos_http_request_duration_seconds_count{class="other",code="404",method="GET",route="unmatched"} 1`,
		`pos_http_requests_in_flight 1`, // the /metrics request itself
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "/things/42") {
		t.Error("raw path used as a label")
	}
}

// TestPublicReadinessHidesErrorText checks that the public /readyz keeps every dependency's
// status but not the text of its error (addresses, driver messages), which the full one shows.
func TestPublicReadinessHidesErrorText(t *testing.T) {
	pg := &switchable{name: "postgres", required: true, err: errors.New("dial tcp 10.0.0.7:5432: connection refused")}
	rd := ops.NewReadiness(slog.New(slog.DiscardHandler), nil, 50*time.Millisecond, pg)
	for _, c := range []struct {
		name    string
		h       http.Handler
		details bool
	}{{"full", rd, true}, {"public", rd.Public(), false}} {
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		var rep ops.Report
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusServiceUnavailable || rep.Status != ops.StatusUnavailable || len(rep.Checks) != 1 || rep.Checks[0].Status != ops.StateDown {
			t.Errorf("%s: %d %s, want 503 with postgres down", c.name, rec.Code, rec.Body)
		}
		if leaked := strings.Contains(rec.Body.String(), "10.0.0.7"); leaked != c.details {
			t.Errorf("%s: error text shown = %v, want %v: %s", c.name, leaked, c.details, rec.Body)
		}
	}
}
