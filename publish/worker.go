package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/integration"
	"github.com/odata-pos/pos/internal/pgcheckpoint"
	"github.com/odata-pos/pos/internal/pglead"
	"github.com/odata-pos/pos/monitoring"
)

// Defaults of Config.
const (
	DefaultPollInterval = time.Second
	// DefaultBatchSize bounds what a crash makes the publisher send again (the messages
	// confirmed since the last checkpoint save) against one checkpoint write per batch, and
	// gives the window enough to publish between two saves.
	DefaultBatchSize = 1024
	// refillWait is how long a publisher that is behind waits for more events to fill a batch.
	refillWait = 5 * time.Millisecond
	// maxBackoff bounds the wait before a failed target is tried again.
	maxBackoff = 10 * time.Second
)

// Config is what a Worker needs.
type Config struct {
	// Pool is the PostgreSQL holding the checkpoints (and the leadership locks).
	Pool *pgxpool.Pool
	// Store is the event store whose $all is published.
	Store eventstore.Store
	// Targets are the brokers to publish to; each has its own checkpoint and leader.
	Targets []Target
	// Registerer receives the pos_publish_* metrics (may be nil).
	Registerer prometheus.Registerer
	// Logger receives progress and failures.
	Logger *slog.Logger
	// PollInterval is how often a standby replica tries to take over, and how often lag is
	// measured (default 1s).
	PollInterval time.Duration
	// BatchSize is the most events published between two checkpoint saves (default 1024).
	BatchSize int
	// Window is how many publishes each target has in flight at once, for targets without
	// a window= parameter (default DefaultWindow). 1 publishes one message at a time, in $all
	// order.
	Window int
}

// Validate reports every missing or wrong field at once.
func (c Config) Validate() error {
	var problems []error
	if c.Pool == nil {
		problems = append(problems, errors.New("publish: Pool is required"))
	}
	if c.Store == nil {
		problems = append(problems, errors.New("publish: Store is required"))
	}
	if len(c.Targets) == 0 {
		problems = append(problems, errors.New("publish: at least one target is required"))
	}
	if c.PollInterval < 0 || c.BatchSize < 0 || c.Window < 0 {
		problems = append(problems, errors.New("publish: PollInterval, BatchSize and Window must not be negative"))
	}
	return errors.Join(problems...)
}

// Worker publishes $all to the targets.
type Worker struct {
	cfg     Config
	log     *slog.Logger
	cps     *pgcheckpoint.Store
	metrics *monitoring.PublishMetrics
}

// New checks cfg and registers the metrics.
func New(cfg Config) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := monitoring.NewPublishMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("publish metrics: %w", err)
	}
	return &Worker{cfg: cfg, log: cfg.Logger.With("component", "publish"), metrics: m}, nil
}

// Run publishes to every target until ctx ends: for each, it contends for the target's
// leadership and, while it leads, follows $all from the target's checkpoint. A failure is
// logged, counted and retried from the checkpoint with a growing pause; it never stops Run.
func (w *Worker) Run(ctx context.Context) error {
	cps, err := openCheckpoints(ctx, w.cfg.Pool)
	if err != nil {
		return err
	}
	w.cps = cps
	var wg sync.WaitGroup
	for _, t := range w.cfg.Targets {
		log := w.log.With("target", t.Name)
		w.metrics.Leader.WithLabelValues(t.Name).Set(0)
		el := pglead.Elector{Conn: w.cfg.Pool.Config().ConnConfig, Key: pglead.Key("pos.publisher", t.Name),
			Poll: w.cfg.PollInterval, Log: log, OnLead: func(on bool) {
				w.metrics.Leader.WithLabelValues(t.Name).Set(map[bool]float64{true: 1}[on])
			}}
		wg.Go(func() { el.Run(ctx, func(ctx context.Context) error { return w.lead(ctx, t, log) }) })
	}
	wg.Wait()
	return nil
}

// lead publishes to t until ctx ends, retrying failures from the checkpoint.
func (w *Worker) lead(ctx context.Context, t Target, log *slog.Logger) error {
	var s *sink
	defer func() {
		if s != nil {
			_ = s.publisher.Close()
		}
	}()
	backoff := w.cfg.PollInterval / 4
	p := pace{cur: t.window(w.cfg.Window), max: t.window(w.cfg.Window)}
	for ctx.Err() == nil {
		var err error
		if s == nil {
			s, err = dial(ctx, t, log)
		}
		if err == nil {
			err = w.follow(ctx, t, s, &p, func() { backoff = w.cfg.PollInterval / 4 })
		}
		if err == nil || ctx.Err() != nil {
			return nil
		}
		p.failed()
		w.metrics.Failures.WithLabelValues(t.Name).Inc()
		log.Warn("publish failed; retrying from the checkpoint", "error", err, "retry_in", backoff.String())
		pglead.Sleep(ctx, backoff)
		backoff = min(2*backoff, maxBackoff)
	}
	return nil
}

// follow subscribes to $all from t's checkpoint and publishes batch after batch through the
// window p, saving the checkpoint after each batch up to the first message not confirmed.
// progress is called after each save.
func (w *Worker) follow(ctx context.Context, t Target, s *sink, p *pace, progress func()) error {
	from, err := w.cps.Load(ctx, t.Name)
	if err != nil {
		return err
	}
	w.metrics.Position.WithLabelValues(t.Name).Set(float64(from))
	sub, err := w.cfg.Store.SubscribeAll(ctx, from, integration.Filter(t.Types))
	if err != nil {
		return fmt.Errorf("subscribe from %d: %w", from, err)
	}
	defer func() { _ = sub.Close() }()
	events := sub.Events()
	lag := lagMeter{w: w, target: t.Name}
	for {
		batch, open := next(ctx, events, w.cfg.BatchSize)
		if len(batch) > 0 {
			lag.observe(ctx, batch[0], len(events) > 0)
			res, pubErr := publishBatch(ctx, t, s, batch, p.cur)
			w.metrics.Published.WithLabelValues(t.Name).Add(float64(res.confirmed))
			if res.done > 0 {
				// Even after a failure: what precedes the first unconfirmed message is not sent again.
				last := batch[res.done-1].Position
				if err := w.cps.Save(ctx, t.Name, last); err != nil {
					return errors.Join(pubErr, err)
				}
				w.metrics.Position.WithLabelValues(t.Name).Set(float64(last))
				progress()
			}
			if pubErr != nil {
				return pubErr
			}
			p.confirmed()
			if len(events) == 0 {
				lag.caughtUp()
			}
		}
		if !open {
			if ctx.Err() != nil {
				return nil
			}
			if err := sub.Err(); err != nil {
				return fmt.Errorf("subscription: %w", err)
			}
			return errors.New("subscription ended")
		}
	}
}

// next waits for one event, then takes those already waiting, up to max. While it has taken
// a full buffer of the subscription or more (the publisher is behind), it also waits up to
// refillWait for the subscription to read more, so that a backlog goes out in batches of max
// (a window needs a batch larger than itself to fill) rather than of the buffer's size. open
// is false once the channel is closed or ctx ended.
func next(ctx context.Context, events <-chan eventstore.RecordedEvent, max int) (batch []eventstore.RecordedEvent, open bool) {
	select {
	case <-ctx.Done():
		return nil, false
	case e, ok := <-events:
		if !ok {
			return nil, false
		}
		batch = append(batch, e)
	}
	var refill <-chan time.Time // once behind: how long to wait for the subscription's next read
	for len(batch) < max {
		select {
		case e, ok := <-events:
			if !ok {
				return batch, false
			}
			batch = append(batch, e)
			continue
		default:
		}
		if cap(events) == 0 || len(batch) <= cap(events) {
			return batch, true // caught up: publish what there is now
		}
		if refill == nil {
			refill = time.After(refillWait)
		}
		select {
		case e, ok := <-events:
			if !ok {
				return batch, false
			}
			batch = append(batch, e)
		case <-refill:
			return batch, true
		case <-ctx.Done():
			return batch, true
		}
	}
	return batch, true
}

// selects reports whether t publishes the public type typ.
func (t Target) selects(typ string) bool { return len(t.Types) == 0 || slices.Contains(t.Types, typ) }
