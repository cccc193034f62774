// Command posbench is a load generator that acts like a fleet of registers against a running
// posd, over HTTP.
//
// Setup: it logs in as an admin (--admin-user/--admin-password, or POSBENCH_ADMIN_USER and
// POSBENCH_ADMIN_PASSWORD, falling back to POS_BOOTSTRAP_ADMIN_USERNAME/_PASSWORD) and
// creates a store (prices include tax), a tax code, --products products (3 unless set), N registers each with its
// own cashier (posd limits every user to 20 requests/s, burst 40) who opens a shift on it, and
// a few "observer" users that poll the read model. Logins are limited to 30 a minute per IP,
// so the setup retries on 429.
//
// Steady phase: one-shot completed three-line card sales (POST /api/v1/sales, client
// generated UUIDs) at --rate per second for --duration, paced open-loop by vegeta's constant
// pacer; a register rings one sale at a time, so a sale waits only for a free register. One
// sale in --lag-every is polled on GET /api/v1/sales/{id}/lines (a read-model route) until it
// appears: the lag is from the 2xx answer to the answer of the first poll that sees it (so it
// includes up to --poll-interval of polling granularity and one request).
//
// Closed loop (--clients N): N registers each ring their next sale as soon as the last one was
// answered, for --duration; this measures the highest rate posd sustains with N tills. With
// --baseline-db it first measures raw single-row INSERTs into that PostgreSQL from as many
// connections for as long (the bar sales/s is stated against, taken in the same run), and with
// --stock-catchup it reports how long after the last answer the stock read model shows every
// sale (the stock policy and the stock projection caught up).
//
// It prints achieved sales/s, POST /sales latency (mean, p50, p95, p99, max), errors by
// status and the lag quantiles; --json prints the summary as JSON instead. It refuses a URL
// that is not a loopback address unless --allow-remote is given, and always stops by itself:
// after --duration it waits at most the request timeout for answers and --lag-timeout for lag
// samples.
//
// Upload phase (--upload N, instead of the steady phase): one register that was offline sends
// the N one-shot sales it queued, each with its occurred_at, --batch per POST /sales/batch
// (--batch 1: one POST /sales each, waiting out 429s), and posbench prints how long they took.
//
//	posbench --url http://127.0.0.1:8080 --rate 200 --duration 60s
//	posbench --clients 8 --duration 30s --baseline-db postgres://127.0.0.1:5432/pos --stock-catchup 2m
//	posbench --url http://127.0.0.1:8080 --upload 1000 --batch 100
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "posbench:", err)
		os.Exit(1)
	}
}

func env(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func run(args []string) error {
	fs := flag.NewFlagSet("posbench", flag.ContinueOnError)
	var cfg Config
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	fs.StringVar(&cfg.URL, "url", or(env("POSBENCH_URL"), "http://127.0.0.1:8080"), "posd base URL (env POSBENCH_URL)")
	fs.StringVar(&cfg.AdminUser, "admin-user", or(env("POSBENCH_ADMIN_USER", "POS_BOOTSTRAP_ADMIN_USERNAME"), "admin"), "admin username")
	fs.StringVar(&cfg.AdminPassword, "admin-password", env("POSBENCH_ADMIN_PASSWORD", "POS_BOOTSTRAP_ADMIN_PASSWORD"), "admin password")
	fs.Float64Var(&cfg.Rate, "rate", 50, "target sales per second")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "length of the steady phase")
	fs.IntVar(&cfg.Registers, "registers", 0, "registers (one cashier each); 0: rate/5")
	fs.IntVar(&cfg.Observers, "observers", 0, "users polling lag samples; 0: from rate and lag-every")
	fs.IntVar(&cfg.LagEvery, "lag-every", 10, "measure the read-side lag of one sale in N (0: none)")
	fs.DurationVar(&cfg.PollInterval, "poll-interval", 10*time.Millisecond, "between two polls of a lag sample")
	fs.DurationVar(&cfg.LagTimeout, "lag-timeout", 10*time.Second, "a lag sample not visible after this is a timeout")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "HTTP request timeout")
	fs.IntVar(&cfg.Clients, "clients", 0, "closed loop: this many registers ring sales back to back (--rate is then ignored)")
	fs.StringVar(&cfg.BaselineDB, "baseline-db", env("POSBENCH_BASELINE_DB"), "PostgreSQL URL: first measure raw INSERTs there for --duration (at most 30s; the bar sales/s is stated against)")
	fs.DurationVar(&cfg.StockCatchup, "stock-catchup", 0, "after the load, wait up to this long for the stock read model to show every sale, and report how long it took")
	fs.IntVar(&cfg.Products, "products", 3, "products of the store (at least 3); each sale takes the next three in turn, so more products spread the stock streams as a real shop does")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "permit a non-loopback URL")
	upload := fs.Int("upload", 0, "instead of the steady phase: one register uploads this many queued sales (see --batch)")
	batch := fs.Int("batch", 100, "with --upload: sales per POST /sales/batch (1: one POST /sales each)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.AdminPassword == "" {
		return fmt.Errorf("no admin password: --admin-password or POSBENCH_ADMIN_PASSWORD")
	}
	if !*quiet {
		cfg.Log = func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *upload > 0 {
		u, err := Upload(ctx, cfg, *upload, *batch)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(os.Stdout).Encode(u)
		}
		u.Print(os.Stdout)
		return nil
	}
	s, err := Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	s.Print(os.Stdout)
	return nil
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
