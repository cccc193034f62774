package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/time/rate"
)

// Config is a bench run.
type Config struct {
	URL           string        // posd's base URL (no /api/v1)
	AdminUser     string        // an admin who creates the master data and the users
	AdminPassword string        //
	Rate          float64       // target sales per second
	Duration      time.Duration // of the steady phase
	Registers     int           // registers (one cashier and one open shift each); 0: ceil(Rate/10)
	Observers     int           // users that poll the read model for lag samples; 0: from Rate and LagEvery
	LagEvery      int           // sample the lag of one sale in LagEvery (0: no lag samples)
	PollInterval  time.Duration // between two polls of one lag sample
	LagTimeout    time.Duration // a sample not visible after this counts as a lag timeout
	Timeout       time.Duration // of one HTTP request
	AllowRemote   bool          // permit a URL that is not a loopback address
	HTTPClient    *http.Client  // nil: a client sized for the run
	Clients       int           // closed loop: this many registers ring back to back (Rate is then ignored)
	BaselineDB    string        // when set, first measure raw INSERTs into this PostgreSQL for Duration
	StockCatchup  time.Duration // when > 0, wait up to this long for the stock read model to show every sale
	Products      int           // products of the store (at least 3; 0: 3); a sale takes three of them in turn
	Log           func(format string, args ...any)
}

// perUserRate is the client-side budget of one user (posd allows 20 r/s, burst 40, per user).
const perUserRate = 16

func (c *Config) defaults() error {
	if c.Clients > 0 {
		c.Registers, c.Rate = c.Clients, 0
	}
	if c.Rate <= 0 && c.Clients <= 0 {
		return errors.New("rate must be positive")
	}
	if c.Duration <= 0 {
		return errors.New("duration must be positive")
	}
	if c.Clients > 0 && c.LagEvery > 0 {
		c.LagEvery = 0 // lag samples are paced by the open loop only
	}
	if c.Registers <= 0 {
		// A register rings one sale at a time: ~5 sales/s each sustains answers of up to 200 ms,
		// well under the per-user limit of its cashier.
		c.Registers = max(1, int(math.Ceil(c.Rate/5)))
	}
	if c.LagEvery < 0 {
		c.LagEvery = 0
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 10 * time.Millisecond
	}
	if c.Observers <= 0 && c.LagEvery > 0 {
		// Budget about three polls per sample.
		c.Observers = min(8, max(1, int(math.Ceil(c.Rate/float64(c.LagEvery)*3/perUserRate))))
	}
	if c.LagTimeout <= 0 {
		c.LagTimeout = 10 * time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Log == nil {
		c.Log = func(string, ...any) {}
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("bad url %q", c.URL)
	}
	if !c.AllowRemote && !isLoopback(u.Hostname()) {
		return fmt.Errorf("url %s is not a loopback address (pass --allow-remote to load a remote posd)", c.URL)
	}
	if c.HTTPClient == nil {
		conns := c.Registers + c.Observers + 8
		c.HTTPClient = &http.Client{Timeout: c.Timeout, Transport: &http.Transport{
			Proxy: nil, MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: 30 * time.Second,
			DialContext: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		}}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// client is one user of the API.
type client struct {
	cfg   *Config
	token string
	lim   *rate.Limiter // nil: unlimited
}

type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("status %d: %s", e.Status, e.Body) }

// do sends one request and returns the status and body (err only for transport failures).
func (c *client) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL+"/api/v1"+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return resp.StatusCode, b, &retryAfter{wait: parseRetryAfter(resp.Header.Get("Retry-After"))}
	}
	return resp.StatusCode, b, nil
}

type retryAfter struct{ wait time.Duration }

func (r *retryAfter) Error() string { return "rate limited, retry after " + r.wait.String() }

func parseRetryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s)*time.Second + 50*time.Millisecond
	}
	return time.Second
}

// call is a setup request: rate limited on the client, retried on 429 (within two minutes:
// login is limited to 30 a minute per IP), failing unless the status is 2xx. out, when not
// nil, receives the decoded body.
func (c *client) call(ctx context.Context, method, path string, body, out any) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if c.lim != nil {
			if err := c.lim.Wait(ctx); err != nil {
				return err
			}
		}
		status, b, err := c.do(ctx, method, path, body)
		var ra *retryAfter
		if errors.As(err, &ra) && time.Now().Add(ra.wait).Before(deadline) {
			c.cfg.Log("posbench: %s %s rate limited, retrying in %s", method, path, ra.wait)
			select {
			case <-time.After(ra.wait):
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err != nil && ra == nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		if status < 200 || status > 299 {
			return fmt.Errorf("%s %s: %w", method, path, &apiError{Status: status, Body: string(b)})
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				return fmt.Errorf("%s %s: decode %s: %w", method, path, b, err)
			}
		}
		return nil
	}
}

func (c *client) create(ctx context.Context, path string, body any) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := c.call(ctx, http.MethodPost, path, body, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

func (c *client) login(ctx context.Context, username, password string) error {
	anon := &client{cfg: c.cfg}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := anon.call(ctx, http.MethodPost, "/auth/login", map[string]string{"username": username, "password": password}, &out); err != nil {
		return err
	}
	c.token = out.AccessToken
	return nil
}

// register is a till: its cashier, its open shift; it rings one sale at a time.
type register struct {
	id, shift string
	cashier   *client
}

// linesPerSale is how many products (one each) a sale takes.
const linesPerSale = 3

// fleet is what the setup phase made.
type fleet struct {
	admin     *client
	store     string
	products  []string
	prices    []int64        // of products, tax included
	sold      []atomic.Int64 // of products, by acknowledged sales
	turn      atomic.Uint64  // sales rung so far: sale n takes products 3n, 3n+1, 3n+2 (mod len)
	registers []*register
	observers []*client
}

func money(a int64) map[string]any { return map[string]any{"amount": a, "currency": "EUR"} }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// setup logs in as the admin and creates a store, the registers, a tax code, the products,
// a cashier per register (who opens a shift on it) and the observers.
func setup(ctx context.Context, cfg *Config) (*fleet, error) {
	admin := &client{cfg: cfg, lim: rate.NewLimiter(perUserRate, perUserRate)}
	if err := admin.login(ctx, cfg.AdminUser, cfg.AdminPassword); err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	run := randomHex(4)
	f := &fleet{admin: admin}
	var err error
	f.store, err = admin.create(ctx, "/stores", map[string]any{"code": "BENCH-" + run, "name": "posbench " + run, "currency": "EUR",
		"timezone": "Europe/Amsterdam", "prices_include_tax": true, "allow_negative_stock": true})
	if err != nil {
		return nil, err
	}
	tax := "BENCH" + run
	if _, err := admin.create(ctx, "/tax-codes", map[string]any{"code": tax, "name": "posbench " + run, "rate_bp": 2100}); err != nil {
		return nil, err
	}
	prices := []int64{299, 1000, 450}
	for i := range max(cfg.Products, linesPerSale) {
		p := prices[i%len(prices)]
		id, err := admin.create(ctx, "/products", map[string]any{"sku": fmt.Sprintf("BENCH-%s-%d", run, i), "name": fmt.Sprintf("Bench item %d", i),
			"category": "bench", "price": money(p), "tax_code": tax, "track_stock": true})
		if err != nil {
			return nil, err
		}
		f.products, f.prices = append(f.products, id), append(f.prices, p)
	}
	f.sold = make([]atomic.Int64, len(f.products))
	const password = "posbench-password-1"
	newUser := func(name, role string) (*client, error) {
		if _, err := admin.create(ctx, "/users", map[string]any{"username": name, "password": password, "roles": []string{role}, "store_ids": []string{f.store}}); err != nil {
			return nil, err
		}
		u := &client{cfg: cfg}
		return u, u.login(ctx, name, password)
	}
	for i := range cfg.Registers {
		id, err := admin.create(ctx, "/stores/"+f.store+"/registers", map[string]any{"code": fmt.Sprintf("R%d", i+1), "name": fmt.Sprintf("Till %d", i+1)})
		if err != nil {
			return nil, err
		}
		cashier, err := newUser(fmt.Sprintf("bench-%s-cashier-%d", run, i+1), "cashier")
		if err != nil {
			return nil, err
		}
		shift := uuid.NewString()
		if _, err := cashier.create(ctx, "/shifts", map[string]any{"id": shift, "register_id": id, "opening_float": money(10000)}); err != nil {
			return nil, err
		}
		f.registers = append(f.registers, &register{id: id, shift: shift, cashier: cashier})
		cfg.Log("posbench: register %d/%d ready", i+1, cfg.Registers)
	}
	for i := range cfg.Observers {
		o, err := newUser(fmt.Sprintf("bench-%s-observer-%d", run, i+1), "manager")
		if err != nil {
			return nil, err
		}
		o.lim = rate.NewLimiter(perUserRate, perUserRate)
		f.observers = append(f.observers, o)
	}
	return f, nil
}

// saleBody is a one-shot completed three-line card sale on r, taking the next three products
// in turn, and the indexes of those products.
func (f *fleet) saleBody(r *register, saleID string) (map[string]any, []int) {
	n := f.turn.Add(1) - 1
	lines := make([]map[string]any, linesPerSale)
	taken := make([]int, linesPerSale)
	var total int64
	for i := range lines {
		p := int((n*linesPerSale + uint64(i)) % uint64(len(f.products)))
		lines[i] = map[string]any{"id": uuid.NewString(), "product_id": f.products[p], "quantity": 1}
		taken[i], total = p, total+f.prices[p]
	}
	return map[string]any{"id": saleID, "store_id": f.store, "register_id": r.id, "shift_id": r.shift, "complete": true,
		"lines": lines, "payments": []map[string]any{{"id": uuid.NewString(), "tender": "card", "amount": money(total)}}}, taken
}

// acknowledged counts the products of a sale posd acknowledged.
func (f *fleet) acknowledged(taken []int) {
	for _, p := range taken {
		f.sold[p].Add(1)
	}
}

// Summary is the outcome of a run.
type Summary struct {
	TargetRate    float64        `json:"target_rate"`
	Duration      float64        `json:"duration_s"` // steady phase, from the first sale to the last answer
	Registers     int            `json:"registers"`
	Observers     int            `json:"observers"`
	Sent          uint64         `json:"sent"`
	OK            uint64         `json:"ok"`
	AchievedRate  float64        `json:"achieved_rate"` // 2xx sales per second
	Errors        map[string]int `json:"errors"`        // by status ("0" transport error)
	LatencyMs     Quantiles      `json:"latency_ms"`    // send → answer of POST /sales
	DispatchLate  uint64         `json:"dispatch_late"` // sales that waited > 10 ms for a free register
	LagSamples    int            `json:"lag_samples"`
	LagTimeouts   int            `json:"lag_timeouts"`
	LagMs         Quantiles      `json:"lag_ms"` // 2xx answer → first poll that sees the sale
	PollRequests  uint64         `json:"poll_requests"`
	PollThrottled uint64         `json:"poll_throttled"` // polls answered 429
	SetupSeconds  float64        `json:"setup_s"`
	Clients       int            `json:"clients,omitempty"`           // closed loop
	Baseline      *Baseline      `json:"raw_baseline,omitempty"`      // raw INSERTs of the same run
	RatioToRaw    float64        `json:"ratio_to_raw,omitempty"`      // achieved sales/s ÷ raw INSERT/s
	StockCaughtUp float64        `json:"stock_caught_up_s,omitempty"` // after the last answer
	StockError    string         `json:"stock_error,omitempty"`
	// ClientCPUPerSale is posbench's own CPU (user and system) in the steady phase per 2xx
	// sale, in milliseconds: on a machine it shares with posd, what the load generator takes
	// from the server. Zero where the platform does not report it.
	ClientCPUPerSale float64 `json:"client_cpu_per_sale_ms,omitempty"`
	stockChecked     bool    // StockCaughtUp was measured (it may round to 0)
}

// clientCPU sets ClientCPUPerSale from the process CPU time at the start of the steady phase.
func (s *Summary) clientCPU(start time.Duration, known bool) {
	now, ok := processCPU()
	if !known || !ok || s.OK == 0 {
		return
	}
	s.ClientCPUPerSale = math.Round(float64(now-start)/float64(time.Microsecond)/float64(s.OK)) / 1000
}

// Quantiles of a latency, in milliseconds.
type Quantiles struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

// Run sets up the fleet and rings sales at cfg.Rate for cfg.Duration, then waits (bounded) for
// the answers and the lag samples.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	setupStart := time.Now()
	f, err := setup(ctx, &cfg)
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	s := &Summary{TargetRate: cfg.Rate, Registers: len(f.registers), Observers: len(f.observers), Errors: map[string]int{},
		SetupSeconds: math.Round(time.Since(setupStart).Seconds()*10) / 10, Clients: cfg.Clients}
	if cfg.BaselineDB != "" {
		d := min(cfg.Duration, maxBaseline)
		cfg.Log("posbench: raw INSERT baseline, %d connections for %s", max(1, len(f.registers)), d)
		if s.Baseline, err = runBaseline(ctx, cfg.BaselineDB, max(1, len(f.registers)), d); err != nil {
			return nil, err
		}
	}
	cpu0, cpuKnown := processCPU()
	if cfg.Clients > 0 {
		var metrics vegeta.Metrics
		end := ringClosedLoop(ctx, &cfg, f, s, &metrics)
		s.finish(&metrics, end)
		s.clientCPU(cpu0, cpuKnown)
		s.catchUp(ctx, &cfg, f)
		return s, nil
	}
	cfg.Log("posbench: setup done in %.1fs; %g sales/s for %s on %d registers", s.SetupSeconds, cfg.Rate, cfg.Duration, len(f.registers))

	var (
		mu      sync.Mutex
		metrics vegeta.Metrics // latency quantiles (t-digest) and status codes of POST /sales
		lags    []time.Duration
		lagWG   sync.WaitGroup
		saleWG  sync.WaitGroup
		polls   atomic.Uint64
		thrott  atomic.Uint64
		lagTO   atomic.Int64
		sampleN atomic.Uint64
	)
	free := make(chan *register, len(f.registers))
	for _, r := range f.registers {
		free <- r
	}
	lagCtx, cancelLag := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelLag()

	// sample polls the read model until the sale appears; lag is from the 2xx answer.
	sample := func(saleID string, acked time.Time) {
		defer lagWG.Done()
		o := f.observers[int(sampleN.Add(1))%len(f.observers)]
		deadline := acked.Add(cfg.LagTimeout)
		for time.Now().Before(deadline) {
			if err := o.lim.Wait(lagCtx); err != nil {
				break
			}
			polls.Add(1)
			status, b, _ := o.do(lagCtx, http.MethodGet, "/sales/"+saleID+"/lines", nil)
			switch status {
			case http.StatusOK:
				var page struct {
					Items []json.RawMessage `json:"items"`
				}
				if json.Unmarshal(b, &page) == nil && len(page.Items) > 0 {
					lag := time.Since(acked)
					mu.Lock()
					lags = append(lags, lag)
					mu.Unlock()
					return
				}
			case http.StatusTooManyRequests:
				thrott.Add(1)
			}
			select {
			case <-time.After(cfg.PollInterval):
			case <-lagCtx.Done():
			}
		}
		lagTO.Add(1)
	}

	ring := func(r *register, seq uint64) {
		defer saleWG.Done()
		defer func() { free <- r }()
		saleID := uuid.NewString()
		res, _ := postSale(ctx, f, r, saleID)
		res.Seq = seq
		mu.Lock()
		s.record(&cfg, &metrics, &res)
		mu.Unlock()
		if res.Error == "" && cfg.LagEvery > 0 && seq%uint64(cfg.LagEvery) == 0 {
			lagWG.Add(1)
			go sample(saleID, time.Now())
		}
	}

	// Open-loop pacing with vegeta's constant pacer: the next sale is due at hits/rate whatever
	// the answers; a sale waits only for a free register (a till rings one sale at a time).
	pacer := vegeta.ConstantPacer{Freq: int(cfg.Rate), Per: time.Second}
	if cfg.Rate != math.Trunc(cfg.Rate) {
		pacer = vegeta.ConstantPacer{Freq: int(math.Round(cfg.Rate * 1000)), Per: 1000 * time.Second}
	}
	began := time.Now()
	var hits uint64
	for {
		elapsed := time.Since(began)
		if elapsed >= cfg.Duration || ctx.Err() != nil {
			break
		}
		wait, stop := pacer.Pace(elapsed, hits)
		if stop {
			break
		}
		if wait > 0 {
			time.Sleep(min(wait, cfg.Duration-elapsed))
			continue
		}
		due := began.Add(time.Duration(float64(hits+1) / cfg.Rate * float64(time.Second))) // the pacer's schedule
		var r *register
		select {
		case r = <-free:
		case <-ctx.Done():
		}
		if r == nil {
			break
		}
		if time.Since(due) > 10*time.Millisecond {
			s.DispatchLate++
		}
		saleWG.Add(1)
		go ring(r, hits)
		hits++
	}
	saleWG.Wait()
	end := time.Since(began)
	done := make(chan struct{})
	go func() { lagWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(cfg.LagTimeout + cfg.Timeout):
		cancelLag()
		<-done
	}

	s.finish(&metrics, end)
	s.clientCPU(cpu0, cpuKnown) // the lag samples' polls included: they are the load generator's work too
	s.LagSamples, s.LagTimeouts = len(lags), int(lagTO.Load())
	s.LagMs = quantiles(lags)
	s.PollRequests, s.PollThrottled = polls.Load(), thrott.Load()
	s.catchUp(ctx, &cfg, f)
	return s, nil
}

// finish fills the sale figures of the steady phase that lasted end.
func (s *Summary) finish(metrics *vegeta.Metrics, end time.Duration) {
	metrics.Close()
	s.Duration = math.Round(end.Seconds()*100) / 100
	s.Sent = metrics.Requests
	s.OK = metrics.Requests - uint64(sumErrors(s.Errors))
	s.AchievedRate = math.Round(float64(s.OK)/end.Seconds()*10) / 10
	l := metrics.Latencies
	s.LatencyMs = Quantiles{Mean: ms(l.Mean), P50: ms(l.P50), P95: ms(l.P95), P99: ms(l.P99), Max: ms(l.Max)}
	if s.Baseline != nil && s.Baseline.PerSecond > 0 {
		s.RatioToRaw = math.Round(s.AchievedRate/s.Baseline.PerSecond*1000) / 1000
	}
}

// catchUp measures, when asked, how long after the load the stock read model showed it.
func (s *Summary) catchUp(ctx context.Context, cfg *Config, f *fleet) {
	if cfg.StockCatchup <= 0 {
		return
	}
	took, err := waitStockCaughtUp(ctx, f, len(s.Errors) == 0, time.Now(), cfg.StockCatchup)
	if err != nil {
		s.StockError = err.Error()
		return
	}
	s.StockCaughtUp, s.stockChecked = math.Round(took.Seconds()*100)/100, true
}

func sumErrors(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// quantiles are exact (nearest rank) over the samples.
func quantiles(d []time.Duration) Quantiles {
	if len(d) == 0 {
		return Quantiles{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(math.Ceil(q*float64(len(d))))-1)] }
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return Quantiles{Mean: ms(sum / time.Duration(len(d))), P50: ms(at(0.50)), P95: ms(at(0.95)), P99: ms(at(0.99)), Max: ms(d[len(d)-1])}
}

// Print writes the summary as a table.
func (s *Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "posbench: %d registers, %d observers, setup %.1fs\n", s.Registers, s.Observers, s.SetupSeconds)
	if s.Clients > 0 {
		fmt.Fprintf(w, "%-22s %12d  (closed loop: each rings its next sale when the last is answered)\n", "clients", s.Clients)
	} else {
		fmt.Fprintf(w, "%-22s %12s\n", "sales/s target", strconv.FormatFloat(s.TargetRate, 'f', -1, 64))
	}
	fmt.Fprintf(w, "%-22s %12.1f  (%d ok of %d sent in %.2fs)\n", "sales/s achieved", s.AchievedRate, s.OK, s.Sent, s.Duration)
	codes := make([]string, 0, len(s.Errors))
	for c := range s.Errors {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	errs := "none"
	if len(codes) > 0 {
		errs = ""
		for _, c := range codes {
			errs += fmt.Sprintf("%s×%d ", c, s.Errors[c])
		}
	}
	fmt.Fprintf(w, "%-22s %12s\n", "errors by status", errs)
	fmt.Fprintf(w, "%-22s %12d\n", "late dispatches", s.DispatchLate)
	fmt.Fprintf(w, "%-22s %8s %8s %8s %8s %8s\n", "", "mean", "p50", "p95", "p99", "max")
	fmt.Fprintf(w, "%-22s %8.1f %8.1f %8.1f %8.1f %8.1f\n", "POST /sales ms", s.LatencyMs.Mean, s.LatencyMs.P50, s.LatencyMs.P95, s.LatencyMs.P99, s.LatencyMs.Max)
	if s.Baseline != nil {
		fmt.Fprintf(w, "%-22s %12.1f  (p50 %.2f ms, p99 %.2f ms, %d connections); sales/raw = %.3f\n", "raw INSERT/s", s.Baseline.PerSecond,
			s.Baseline.LatencyMs.P50, s.Baseline.LatencyMs.P99, s.Baseline.Clients, s.RatioToRaw)
	}
	if s.ClientCPUPerSale > 0 {
		fmt.Fprintf(w, "%-22s %12.2f  ms CPU of posbench itself per sale\n", "load generator", s.ClientCPUPerSale)
	}
	switch {
	case s.StockError != "":
		fmt.Fprintf(w, "%-22s %s\n", "stock caught up", s.StockError)
	case s.stockChecked:
		fmt.Fprintf(w, "%-22s %11.2fs after the last answer\n", "stock caught up", s.StockCaughtUp)
	}
	if s.LagSamples+s.LagTimeouts == 0 {
		return
	}
	fmt.Fprintf(w, "%-22s %8.1f %8.1f %8.1f %8.1f %8.1f\n", "lag commit→visible ms", s.LagMs.Mean, s.LagMs.P50, s.LagMs.P95, s.LagMs.P99, s.LagMs.Max)
	fmt.Fprintf(w, "%-22s %12s\n", "lag samples", fmt.Sprintf("%d (timeouts %d, polls %d, 429 %d)", s.LagSamples, s.LagTimeouts, s.PollRequests, s.PollThrottled))
}
