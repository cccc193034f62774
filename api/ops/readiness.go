package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/odata-pos/pos/monitoring"
)

// Overall readiness states.
const (
	StatusReady       = "ready"       // every dependency is up
	StatusDegraded    = "degraded"    // an optional dependency is down; the service still works
	StatusUnavailable = "unavailable" // a required dependency is down
)

// Dependency states.
const (
	StateUp   = "up"
	StateDown = "down"
)

// DefaultCheckTimeout bounds each dependency check.
const DefaultCheckTimeout = 2 * time.Second

// Report is the body of /readyz.
type Report struct {
	Status string        `json:"status"`
	Checks []CheckResult `json:"checks"`
}

// Ready reports whether every required dependency is up.
func (r Report) Ready() bool { return r.Status != StatusUnavailable }

// CheckResult is one dependency's state.
type CheckResult struct {
	Name      string  `json:"name"`
	Status    string  `json:"status"`
	Required  bool    `json:"required"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

// Readiness runs the dependency checks, records their outcome as metrics and logs every change
// of a dependency's state. It is safe for concurrent use.
type Readiness struct {
	checkers []Checker
	timeout  time.Duration
	metrics  *monitoring.DependencyMetrics
	log      *slog.Logger

	mu   sync.Mutex
	last map[string]string // dependency name → last state
}

// NewReadiness returns a Readiness over checkers, each bounded by timeout (DefaultCheckTimeout
// when zero). metrics may be nil.
func NewReadiness(log *slog.Logger, metrics *monitoring.DependencyMetrics, timeout time.Duration, checkers ...Checker) *Readiness {
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	return &Readiness{checkers: checkers, timeout: timeout, metrics: metrics, log: log, last: map[string]string{}}
}

// Check runs every checker concurrently and returns the report, in the checkers' order.
func (rd *Readiness) Check(ctx context.Context) Report {
	results := make([]CheckResult, len(rd.checkers))
	var wg sync.WaitGroup
	for i, c := range rd.checkers {
		wg.Go(func() { results[i] = rd.checkOne(ctx, c) })
	}
	wg.Wait()

	rep := Report{Status: StatusReady, Checks: results}
	for _, res := range results {
		if res.Status == StateUp {
			continue
		}
		if res.Required {
			rep.Status = StatusUnavailable
		} else if rep.Status == StatusReady {
			rep.Status = StatusDegraded
		}
	}
	rd.record(results)
	return rep
}

func (rd *Readiness) checkOne(ctx context.Context, c Checker) CheckResult {
	ctx, cancel := context.WithTimeout(ctx, rd.timeout)
	defer cancel()
	start := time.Now()
	err := safeCheck(ctx, c)
	elapsed := time.Since(start)
	res := CheckResult{
		Name:      c.Name(),
		Status:    StateUp,
		Required:  c.Required(),
		LatencyMS: float64(elapsed.Microseconds()) / 1000,
	}
	if err != nil {
		res.Status = StateDown
		res.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			res.Error = fmt.Sprintf("no answer within %s", rd.timeout)
		}
	}
	if rd.metrics != nil {
		rd.metrics.CheckDuration.WithLabelValues(res.Name).Observe(elapsed.Seconds())
	}
	return res
}

// safeCheck turns a panicking checker into a failed check.
func safeCheck(ctx context.Context, c Checker) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("check panicked: %v", v)
		}
	}()
	return c.Check(ctx)
}

// record updates the metrics and logs state changes.
func (rd *Readiness) record(results []CheckResult) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	for _, res := range results {
		if rd.metrics != nil {
			up := 0.0
			if res.Status == StateUp {
				up = 1
			}
			rd.metrics.Up.WithLabelValues(res.Name, strconv.FormatBool(res.Required)).Set(up)
		}
		prev, seen := rd.last[res.Name]
		rd.last[res.Name] = res.Status
		switch {
		case res.Status == StateDown && prev != StateDown:
			level := slog.LevelWarn
			if res.Required {
				level = slog.LevelError
			}
			rd.log.Log(context.Background(), level, "dependency down",
				slog.String("dependency", res.Name), slog.Bool("required", res.Required),
				slog.String("error", res.Error))
		case res.Status == StateUp && seen && prev != StateUp:
			rd.log.Info("dependency recovered", slog.String("dependency", res.Name))
		}
	}
}

// Watch re-runs the checks every interval until ctx is done, so that metrics and logs follow
// the dependencies without anyone polling /readyz. It returns when ctx is done.
func (rd *Readiness) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rd.Check(ctx)
		}
	}
}
