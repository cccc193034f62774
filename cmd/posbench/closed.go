package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// ringClosedLoop is the closed-loop steady phase: every register rings its next sale as soon as
// the last one was answered, for cfg.Duration. A 429 waits its Retry-After and counts as an
// error, so the figures show the server's limits as clients meet them. It returns how long the
// phase lasted.
func ringClosedLoop(ctx context.Context, cfg *Config, f *fleet, s *Summary, metrics *vegeta.Metrics) time.Duration {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		seq  uint64
		stop = time.Now().Add(cfg.Duration)
	)
	began := time.Now()
	for _, r := range f.registers {
		wg.Go(func() {
			for time.Now().Before(stop) && ctx.Err() == nil {
				res, ra := postSale(ctx, f, r, uuid.NewString())
				mu.Lock()
				res.Seq = seq
				seq++
				s.record(cfg, metrics, &res)
				mu.Unlock()
				if ra != nil {
					select {
					case <-time.After(min(ra.wait, time.Until(stop))):
					case <-ctx.Done():
					}
				}
			}
		})
	}
	wg.Wait()
	return time.Since(began)
}

// postSale rings one one-shot sale with ID saleID on r. The result's Error is set unless the
// answer was 2xx; a 429 also returns how long it asked the client to wait.
func postSale(ctx context.Context, f *fleet, r *register, saleID string) (vegeta.Result, *retryAfter) {
	res := vegeta.Result{Timestamp: time.Now(), Method: http.MethodPost, URL: "/api/v1/sales"}
	body, taken := f.saleBody(r, saleID)
	status, b, err := r.cashier.do(ctx, http.MethodPost, "/sales", body)
	res.Latency = time.Since(res.Timestamp)
	res.Code = uint16(status)
	var ra *retryAfter
	if err != nil && !errors.As(err, &ra) {
		res.Error = err.Error()
	} else if status < 200 || status > 299 {
		res.Error = http.StatusText(status)
		res.Body = b
	}
	if res.Error == "" {
		f.acknowledged(taken)
	}
	return res, ra
}

// record adds res to metrics and counts a failure by status, logging the first three of each;
// the caller holds the lock that guards s and metrics.
func (s *Summary) record(cfg *Config, metrics *vegeta.Metrics, res *vegeta.Result) {
	metrics.Add(res)
	if res.Error == "" {
		return
	}
	code := strconv.Itoa(int(res.Code))
	s.Errors[code]++
	if s.Errors[code] <= 3 {
		cfg.Log("posbench: sale failed: %d %s %s", res.Code, res.Error, res.Body)
	}
}
