package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/api/ops"
	"github.com/odata-pos/pos/internal/config"
	"github.com/odata-pos/pos/monitoring"
)

// readinessWatchInterval is how often the dependencies are re-checked in the background (for
// pos_dependency_up and the "dependency down" log line).
const readinessWatchInterval = 10 * time.Second

// startupTimeout bounds connecting to the databases at start.
const startupTimeout = 60 * time.Second

// hooks let tests observe and extend a running server. The zero value does nothing.
type hooks struct {
	// listening is called with the bound address once the server accepts connections.
	listening func(addr net.Addr)
	// routes registers extra routes (test-only handlers) next to the API.
	routes func(r *mux.Router)
	// opsListening is called with the operational listener's address (POS_OPS_ADDR only).
	opsListening func(addr net.Addr)
}

// run is posd: it loads the configuration from args and the environment, starts the server
// and blocks until ctx ends or SIGTERM/SIGINT arrives, then shuts down gracefully.
func run(ctx context.Context, args []string, lookup config.LookupFunc, stdout, stderr io.Writer) error {
	return runWith(ctx, args, lookup, stdout, stderr, hooks{})
}

func runWith(ctx context.Context, args []string, lookup config.LookupFunc, stdout, stderr io.Writer, h hooks) (err error) {
	cfg, err := config.Load(args, lookup, stderr)
	if err != nil {
		return err
	}
	log, closeLog, err := newLogger(cfg, stdout)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := closeLog(); cerr != nil && err == nil {
			err = fmt.Errorf("close log file: %w", cerr)
		}
	}()
	gcPercent := tuneGC(lookup)
	log.Info("starting posd", slog.String("version", version), slog.Int("gc_percent", gcPercent), slog.Any("config", cfg))
	defer func() {
		if err != nil {
			log.Error("posd failed", slog.String("error", err.Error()))
		}
	}()

	// The first signal starts the graceful shutdown; stop() then restores the default
	// handling, so a second signal ends the process at once.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	d, closeDeps, err := openDeps(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDeps()

	// The projector and publisher roles' workers are built (and their tables migrated) before
	// the server starts, so a failure here stops posd before it serves anything.
	var workers []worker
	if cfg.RunsProjector() {
		if workers, err = projectors(ctx, d); err != nil {
			return err
		}
	}
	if cfg.RunsPublisher() {
		ws, err := publishers(ctx, d)
		if err != nil {
			return err
		}
		workers = append(workers, ws...)
	}

	reg := d.registry
	readSide, err := readSideCheck(d)
	if err != nil {
		return err
	}
	checks := append(checkers(d, monitoring.NewEventStoreHead(reg)), readSide)
	readiness := ops.NewReadiness(log, monitoring.NewDependencyMetrics(reg), ops.DefaultCheckTimeout, checks...)

	// The operational endpoints: on their own listener when POS_OPS_ADDR is set (the only
	// place /readyz shows the dependencies' error text), else on the API's, without it.
	httpMetrics := monitoring.NewHTTPMetrics(reg)
	router := mux.NewRouter()
	var opsHandler http.Handler
	if cfg.OpsAddr == "" {
		ops.Mount(router, readiness.Public(), reg)
	} else {
		opsRouter := mux.NewRouter()
		ops.Mount(opsRouter, readiness, reg)
		opsHandler = api.Handler(ops.Instrument(httpMetrics, opsRouter), httpx.NewResponder(log), log, nil)
	}
	rs := httpx.NewResponder(log)
	if cfg.RunsAPI() {
		if rs, err = routes(ctx, router, d); err != nil {
			return err
		}
	}
	if h.routes != nil {
		h.routes(router)
	}
	handler := api.Handler(ops.Instrument(httpMetrics, router), rs, log, cfg.CORSOrigins)

	if cfg.PprofAddr != "" {
		if err := servePprof(ctx, cfg.PprofAddr, log); err != nil {
			return err
		}
	}
	serveErr := make(chan error, 2)
	var servers []*http.Server
	defer func() {
		for _, srv := range servers { // on an early return; a no-op after shutdown
			_ = srv.Close()
		}
	}()
	serve := func(addr string, h http.Handler) (net.Addr, error) {
		ln, err := new(net.ListenConfig).Listen(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
		srv := newHTTPServer(h, log)
		servers = append(servers, srv)
		go func() { serveErr <- srv.Serve(ln) }()
		return ln.Addr(), nil
	}
	apiAddr, err := serve(cfg.HTTPAddr, handler)
	if err != nil {
		return err
	}
	if opsHandler != nil {
		opsAddr, err := serve(cfg.OpsAddr, opsHandler)
		if err != nil {
			return err
		}
		log.Info("operational endpoints on their own listener", slog.String("addr", opsAddr.String()))
		if h.opsListening != nil {
			h.opsListening(opsAddr)
		}
	}

	// Background work: the readiness watcher and, in the projector role, the workers. They
	// stop when ctx ends and are waited for before the stores close.
	var wg sync.WaitGroup
	workErr := make(chan error, 1)
	wg.Go(func() { readiness.Watch(ctx, readinessWatchInterval) })
	for _, w := range workers {
		wg.Go(func() {
			if err := w.run(ctx); err != nil && ctx.Err() == nil {
				select {
				case workErr <- fmt.Errorf("worker %s: %w", w.name, err):
				default:
				}
			}
		})
	}

	log.Info("posd ready to serve", slog.String("addr", apiAddr.String()),
		slog.String("role", cfg.Role), slog.Int("workers", len(workers)))
	if h.listening != nil {
		h.listening(apiAddr)
	}

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", slog.String("reason", context.Cause(ctx).Error()),
			slog.String("timeout", cfg.ShutdownTimeout.String()))
	case err := <-serveErr:
		runErr = fmt.Errorf("http server: %w", err)
	case err := <-workErr:
		runErr = err
	}
	stop()

	for _, srv := range servers {
		if err := shutdown(srv, cfg.ShutdownTimeout, log); err != nil && runErr == nil {
			runErr = err
		}
	}
	wg.Wait()
	if runErr == nil {
		log.Info("posd stopped")
	}
	return runErr
}

// shutdown stops srv from accepting connections and waits for the requests in flight, at
// most timeout; past it the remaining connections are closed.
func shutdown(srv *http.Server, timeout time.Duration, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err == nil {
		return nil
	}
	_ = srv.Close()
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn("requests still in flight after the shutdown timeout were cut off", slog.Duration("timeout", timeout))
		return fmt.Errorf("graceful shutdown: requests still in flight after %s", timeout)
	}
	return fmt.Errorf("graceful shutdown: %w", err)
}
