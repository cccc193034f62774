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
				saleID := uuid.NewString()
				res := vegeta.Result{Timestamp: time.Now(), Method: http.MethodPost, URL: "/api/v1/sales"}
				status, b, err := r.cashier.do(ctx, http.MethodPost, "/sales", f.saleBody(r, saleID))
				res.Latency = time.Since(res.Timestamp)
				res.Code = uint16(status)
				var ra *retryAfter
				if err != nil && !errors.As(err, &ra) {
					res.Error = err.Error()
				} else if status < 200 || status > 299 {
					res.Error = http.StatusText(status)
					res.Body = b
				}
				mu.Lock()
				res.Seq = seq
				seq++
				metrics.Add(&res)
				if res.Error != "" {
					s.Errors[strconv.Itoa(status)]++
					if s.Errors[strconv.Itoa(status)] <= 3 {
						cfg.Log("posbench: sale failed: %d %s %s", status, res.Error, b)
					}
				}
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
