package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// UploadSummary is the outcome of an upload run: one register that was offline sends the
// sales it queued.
type UploadSummary struct {
	Queued       int            `json:"queued"`
	Batch        int            `json:"batch"`    // sales per request (1: POST /sales each)
	Requests     int            `json:"requests"` // answered, 429s included
	Throttled    int            `json:"throttled"`
	OK           int            `json:"ok"`
	Statuses     map[string]int `json:"statuses"` // per sale, not 201
	Seconds      float64        `json:"seconds"`
	SalesPerSec  float64        `json:"sales_per_s"`
	SetupSeconds float64        `json:"setup_s"`
}

// Upload sets up one register and sends queued one-shot sales, each with its occurred_at, as
// a register back online does: batch sales per POST /sales/batch (batch 1: one POST /sales
// each), one request at a time, waiting out 429s as Retry-After says.
func Upload(ctx context.Context, cfg Config, queued, batch int) (*UploadSummary, error) {
	if queued <= 0 || batch <= 0 {
		return nil, errors.New("upload and batch must be positive")
	}
	cfg.Rate, cfg.Registers, cfg.LagEvery, cfg.Observers = 1, 1, 0, 0
	if cfg.Duration <= 0 {
		cfg.Duration = time.Second
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	setupStart := time.Now()
	f, err := setup(ctx, &cfg)
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	s := &UploadSummary{Queued: queued, Batch: batch, Statuses: map[string]int{},
		SetupSeconds: math.Round(time.Since(setupStart).Seconds()*10) / 10}
	r := f.registers[0]
	at := time.Now().UTC() // the shift opened during the setup
	sales := make([]map[string]any, queued)
	for i := range sales {
		sales[i], _ = f.saleBody(r, uuid.NewString())
		sales[i]["occurred_at"] = at.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano)
	}
	start := time.Now()
	for len(sales) > 0 {
		n := min(batch, len(sales))
		var path string
		var body any
		if batch == 1 {
			path, body = "/sales", sales[0]
		} else {
			path, body = "/sales/batch", map[string]any{"sales": sales[:n]}
		}
		status, b, err := r.cashier.do(ctx, http.MethodPost, path, body)
		s.Requests++
		var ra *retryAfter
		if errors.As(err, &ra) {
			s.Throttled++
			select {
			case <-time.After(ra.wait):
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if err != nil {
			return nil, err
		}
		if err := s.count(status, b, batch); err != nil {
			return nil, err
		}
		sales = sales[n:]
	}
	s.Seconds = math.Round(time.Since(start).Seconds()*100) / 100
	s.SalesPerSec = math.Round(float64(s.OK)/time.Since(start).Seconds()*10) / 10
	return s, nil
}

// count adds the outcome of one request: a sale's status, or a batch's items'.
func (s *UploadSummary) count(status int, body []byte, batch int) error {
	add := func(st int) {
		if st == http.StatusCreated {
			s.OK++
		} else {
			s.Statuses[fmt.Sprint(st)]++
		}
	}
	if batch == 1 || status != http.StatusOK {
		add(status)
		return nil
	}
	var out struct {
		Items []struct {
			Status int `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return fmt.Errorf("batch answer %s: %w", body, err)
	}
	for _, it := range out.Items {
		add(it.Status)
	}
	return nil
}

// Print writes the summary for a person.
func (s *UploadSummary) Print(w io.Writer) {
	fmt.Fprintf(w, "queued sales uploaded        %d in batches of %d\n", s.Queued, s.Batch)
	fmt.Fprintf(w, "created                      %d (others by status: %v)\n", s.OK, s.Statuses)
	fmt.Fprintf(w, "requests                     %d (%d answered 429)\n", s.Requests, s.Throttled)
	fmt.Fprintf(w, "took                         %.2fs = %.1f sales/s (setup %.1fs)\n", s.Seconds, s.SalesPerSec, s.SetupSeconds)
}
