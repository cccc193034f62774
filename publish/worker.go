package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
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
	// confirmed since the last checkpoint save) against one checkpoint write per batch.
	DefaultBatchSize = 64
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
	// BatchSize is the most events published between two checkpoint saves (default 64).
	BatchSize int
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
	if c.PollInterval < 0 || c.BatchSize < 0 {
		problems = append(problems, errors.New("publish: PollInterval and BatchSize must not be negative"))
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
	for ctx.Err() == nil {
		var err error
		if s == nil {
			s, err = dial(ctx, t, log)
		}
		if err == nil {
			err = w.follow(ctx, t, s, func() { backoff = w.cfg.PollInterval / 4 })
		}
		if err == nil || ctx.Err() != nil {
			return nil
		}
		w.metrics.Failures.WithLabelValues(t.Name).Inc()
		log.Warn("publish failed; retrying from the checkpoint", "error", err, "retry_in", backoff.String())
		pglead.Sleep(ctx, backoff)
		backoff = min(2*backoff, maxBackoff)
	}
	return nil
}

// follow subscribes to $all from t's checkpoint and publishes batch after batch, saving the
// checkpoint after each confirmed batch. progress is called after each saved batch.
func (w *Worker) follow(ctx context.Context, t Target, s *sink, progress func()) error {
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
			n, err := publishBatch(ctx, t, s, batch)
			if err != nil {
				return err
			}
			last := batch[len(batch)-1].Position
			if err := w.cps.Save(ctx, t.Name, last); err != nil {
				return err
			}
			w.metrics.Position.WithLabelValues(t.Name).Set(float64(last))
			w.metrics.Published.WithLabelValues(t.Name).Add(float64(n))
			progress()
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

// next waits for one event, then takes those already waiting, up to max. open is false once
// the channel is closed or ctx ended.
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
	for len(batch) < max {
		select {
		case e, ok := <-events:
			if !ok {
				return batch, false
			}
			batch = append(batch, e)
		default:
			return batch, true
		}
	}
	return batch, true
}

// publishBatch maps the events and publishes them in order, consecutive messages of one topic
// in one call. It returns once the broker confirmed every message (how many), or with the
// first error.
// A mapping error stops the batch: an event that cannot be rendered is a defect to fix, never
// one to skip.
func publishBatch(ctx context.Context, t Target, s *sink, batch []eventstore.RecordedEvent) (int, error) {
	var (
		topic   string
		pending []*message.Message
		n       int
	)
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := s.publisher.Publish(topic, pending...); err != nil {
			return fmt.Errorf("publish to %s: %w", topic, err)
		}
		n += len(pending)
		pending = pending[:0]
		return nil
	}
	for i := range batch {
		m, ok, err := integration.Map(&batch[i])
		if err != nil {
			return n, err
		}
		if !ok || !t.selects(m.Type) {
			continue
		}
		if tp := s.topic(m); tp != topic {
			if err := flush(); err != nil {
				return n, err
			}
			topic = tp
		}
		wm := message.NewMessage(m.ID, m.Body)
		wm.Metadata.Set(HeaderType, m.Type)
		wm.Metadata.Set(HeaderStream, m.Stream)
		wm.Metadata.Set(HeaderPosition, strconv.FormatUint(m.Position, 10))
		wm.SetContext(ctx)
		pending = append(pending, wm)
	}
	err := flush()
	return n, err
}

// selects reports whether t publishes the public type typ.
func (t Target) selects(typ string) bool { return len(t.Types) == 0 || slices.Contains(t.Types, typ) }
