package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/odata-pos/pos/api/ops"
	"github.com/odata-pos/pos/internal/config"
)

// HealthCommand is the subcommand that probes a running posd: `posd health`.
const HealthCommand = "health"

// defaultHealthTimeout bounds one probe; below the 5 s a container healthcheck usually allows.
const defaultHealthTimeout = 3 * time.Second

// maxHealthBody is how much of /readyz's answer health copies into its output (the report is
// a few hundred bytes; Docker keeps the last output of each check).
const maxHealthBody = 4 << 10

// health is `posd health`: it reads the same configuration as the server (environment and
// --config), asks /readyz on the operational address (POS_OPS_ADDR, else POS_HTTP_ADDR; an
// all-interfaces host is probed on loopback) and returns the exit code of a container
// healthcheck: 0 when posd answers 200 (ready or degraded), 1 otherwise, also for a bad
// configuration (Docker reserves exit code 2). It needs no shell or curl, so it runs in the
// distroless image.
func health(ctx context.Context, args []string, lookup config.LookupFunc, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("posd health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "`file` of POS_* variables (.env syntax), as for posd")
	timeout := fs.Duration("timeout", defaultHealthTimeout, "how long to wait for /readyz")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: posd health [--config FILE] [--timeout 3s]\n\n"+
			"Asks the running posd's /readyz on POS_OPS_ADDR (else POS_HTTP_ADDR) and exits 0 when\n"+
			"it is ready (200), 1 otherwise: a container healthcheck.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 1
	}
	var loadArgs []string
	if *configFile != "" {
		loadArgs = []string{"--config", *configFile}
	}
	cfg, err := config.Load(loadArgs, lookup, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "posd health: %v\n", err)
		return 1
	}
	url, err := readyzURL(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "posd health: %v\n", err)
		return 1
	}
	status, body, err := probe(ctx, url, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "posd health: %s: %v\n", url, err)
		return 1
	}
	if status != http.StatusOK {
		fmt.Fprintf(stderr, "posd health: %s answered %d: %s\n", url, status, body)
		return 1
	}
	fmt.Fprintf(stdout, "posd health: %s answered %d: %s\n", url, status, body)
	return 0
}

// readyzURL is the /readyz URL of the posd configured by cfg, as seen from its own host.
func readyzURL(cfg config.Config) (string, error) {
	addr := cfg.HTTPAddr
	if cfg.OpsAddr != "" {
		addr = cfg.OpsAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("listen address %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + ops.ReadyzPath, nil
}

// probe GETs url within timeout and returns the status and the start of the body.
func probe(ctx context.Context, url string, timeout time.Duration) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxHealthBody))
	if err != nil {
		return 0, "", fmt.Errorf("read the answer: %w", err)
	}
	return resp.StatusCode, strings.TrimSpace(string(b)), nil
}
