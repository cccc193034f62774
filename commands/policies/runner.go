package policies

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/backoff"
)

// Policy is one process manager: the events it follows and what it does with them. It sets
// Handle or HandleBatch.
type Policy struct {
	// Name identifies the policy and its checkpoint; never rename a running policy.
	Name string
	// Filter selects the events of $all the policy handles.
	Filter eventstore.Filter
	// Handle appends the follow-ups of one event. It must be idempotent (deterministic IDs):
	// it runs again for an event whose checkpoint was not saved.
	Handle func(ctx context.Context, e eventstore.RecordedEvent) error
	// HandleBatch, when set, appends the follow-ups of several events at once (in $all order);
	// a failure retries the whole batch, so it must be idempotent too.
	HandleBatch func(ctx context.Context, events []eventstore.RecordedEvent) error
}

// Config configures a Runner. Handler and Checkpoints are required.
type Config struct {
	// Handler runs the follow-up commands; its store is the one followed.
	Handler *commands.Handler
	// Checkpoints keeps each policy's position.
	Checkpoints CheckpointStore
	// Policies default to Default(Handler).
	Policies []Policy
	// Logger receives the runner's logs; nil discards them.
	Logger *slog.Logger
	// A failing event (or batch) is retried until it succeeds or the runner stops, after
	// RetryInterval (default 50 ms) doubling up to MaxBackoff (default 5 s). The first Retries
	// failures (default 3) are logged as warnings, later ones as errors.
	Retries       int
	RetryInterval time.Duration
	MaxBackoff    time.Duration
	// BatchSize caps how many events a policy takes from its subscription at once; default
	// 500.
	BatchSize int
	// CheckpointInterval is how often at most a policy saves its checkpoint while it handles
	// events (default 1 s): after a batch when the last save is that old, else that long after
	// the last save, and when the runner stops. A crash re-handles at most about this much of
	// the log, which the idempotent handlers allow; saving after every batch cost a busy shop a
	// transaction every few sales.
	CheckpointInterval time.Duration
	// BatchWait is how long a batch waits for more events once those ready are taken
	// (default 10 ms); it ends at once when no event follows within it.
	BatchWait time.Duration
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.Handler == nil {
		errs = append(errs, errors.New("policies: Handler is required"))
	}
	if c.Checkpoints == nil {
		errs = append(errs, errors.New("policies: Checkpoints is required"))
	}
	seen := map[string]bool{}
	for _, p := range c.Policies {
		if p.Name == "" || (p.Handle == nil && p.HandleBatch == nil) {
			errs = append(errs, fmt.Errorf("policies: policy %q needs a name and a handler", p.Name))
		}
		if seen[p.Name] {
			errs = append(errs, fmt.Errorf("policies: %s registered twice", p.Name))
		}
		seen[p.Name] = true
	}
	if c.Retries < 0 || c.RetryInterval < 0 || c.MaxBackoff < 0 || c.BatchSize < 0 || c.BatchWait < 0 || c.CheckpointInterval < 0 {
		errs = append(errs, errors.New("policies: retries, intervals and the batch size must not be negative"))
	}
	return errors.Join(errs...)
}

// Runner runs policies.
type Runner struct {
	cfg      Config
	log      *slog.Logger
	trackers map[string]*tracker
}

// New returns a Runner for cfg.
func New(cfg Config) (*Runner, error) {
	if cfg.Handler != nil && cfg.Policies == nil {
		cfg.Policies = Default(cfg.Handler)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Retries == 0 {
		cfg.Retries = 3
	}
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = 50 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 500
	}
	if cfg.BatchWait == 0 {
		cfg.BatchWait = 10 * time.Millisecond
	}
	if cfg.CheckpointInterval == 0 {
		cfg.CheckpointInterval = time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	trackers := make(map[string]*tracker, len(cfg.Policies))
	heads := &eventstore.HeadCache{Store: cfg.Handler.Store(), Every: headEvery} // one head a second for every policy's lag
	for _, p := range cfg.Policies {
		trackers[p.Name] = &tracker{heads: heads, p: Progress{Policy: p.Name, Waiting: true}}
	}
	return &Runner{cfg: cfg, log: log, trackers: trackers}, nil
}

// Run is New(cfg) followed by Run.
func Run(ctx context.Context, cfg Config) error {
	r, err := New(cfg)
	if err != nil {
		return err
	}
	return r.Run(ctx)
}

// Run runs every policy until ctx is done and returns nil. Every goroutine it starts has
// stopped when it returns.
func (r *Runner) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, p := range r.cfg.Policies {
		wg.Go(func() { r.loop(ctx, p) })
	}
	wg.Wait()
	return nil
}

// loop follows one policy's events until ctx is done, resubscribing after failures.
func (r *Runner) loop(ctx context.Context, p Policy) {
	pause := r.cfg.RetryInterval
	for ctx.Err() == nil {
		err := r.follow(ctx, p)
		if ctx.Err() != nil {
			return
		}
		r.log.Error("policy stopped; restarting from its checkpoint", "policy", p.Name, "err", err, "in", pause)
		if !backoff.Sleep(ctx, pause) {
			return
		}
		pause = min(pause*2, r.cfg.MaxBackoff)
	}
}

// follow subscribes from the checkpoint and handles batches of events until ctx is done or
// it fails; it saves the checkpoint at most once per CheckpointInterval (saver) and
// once more when it stops.
func (r *Runner) follow(ctx context.Context, p Policy) (err error) {
	from, err := r.cfg.Checkpoints.Load(ctx, p.Name)
	if err != nil {
		return fmt.Errorf("load checkpoint: %w", err)
	}
	sub, err := r.cfg.Handler.Store().SubscribeAll(ctx, from, p.Filter)
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	defer func() { _ = sub.Close() }()
	cp := newSaver(r.cfg.Checkpoints, p.Name, from, r.cfg.CheckpointInterval)
	defer func() { err = errors.Join(err, cp.close(ctx)) }()
	lag := r.trackers[p.Name]
	events := sub.Events()
	for {
		batch, open := next(ctx, events, r.cfg.BatchSize, r.cfg.BatchWait, lag.idle, cp.due())
		if len(batch) > 0 {
			last := batch[len(batch)-1].Position
			lag.busy(ctx, batch[0], last)
			if err := r.apply(ctx, p, lag, batch); err != nil {
				return err
			}
			cp.handled(last)
			lag.handled(len(batch), last)
		}
		if err := cp.saveIfDue(ctx); err != nil {
			return err
		}
		if !open {
			break
		}
	}
	if err := sub.Err(); err != nil {
		return fmt.Errorf("subscription: %w", err)
	}
	return ctx.Err()
}

// next waits for an event and returns it with those that follow it within wait of each other,
// up to max; open is false once the subscription ended or ctx is done. idle is called before
// it waits for an event with none ready; it returns no events, open, when wake fires during
// that wait (a checkpoint is due).
func next(ctx context.Context, events <-chan eventstore.RecordedEvent, max int, wait time.Duration, idle func(), wake <-chan time.Time) (batch []eventstore.RecordedEvent, open bool) {
	select {
	case e, ok := <-events:
		if !ok {
			return nil, false
		}
		batch = append(batch, e)
	default:
		idle()
		select {
		case e, ok := <-events:
			if !ok {
				return nil, false
			}
			batch = append(batch, e)
		case <-wake:
			return nil, true
		case <-ctx.Done():
			return nil, false
		}
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
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
		timer.Reset(wait)
		select {
		case e, ok := <-events:
			if !ok {
				return batch, false
			}
			batch = append(batch, e)
		case <-timer.C:
			return batch, true
		case <-ctx.Done():
			return batch, true
		}
	}
	return batch, true
}

// apply hands batch to the policy until it succeeds, backing off between attempts. Events of
// a policy without HandleBatch are handled one by one, each retried on its own. It returns an
// error only when ctx is done.
func (r *Runner) apply(ctx context.Context, p Policy, t *tracker, batch []eventstore.RecordedEvent) error {
	if p.HandleBatch != nil {
		return r.retry(ctx, p.Name, t, batch[0], func() error { return p.HandleBatch(ctx, batch) })
	}
	for _, e := range batch {
		if err := r.retry(ctx, p.Name, t, e, func() error { return p.Handle(ctx, e) }); err != nil {
			return err
		}
	}
	return nil
}

// retry runs op until it succeeds (a panic counts as a failure), pausing RetryInterval
// doubling up to MaxBackoff between attempts. It returns an error only when ctx is done.
func (r *Runner) retry(ctx context.Context, policy string, t *tracker, first eventstore.RecordedEvent, op func() error) error {
	pause := r.cfg.RetryInterval
	for attempt := 1; ; attempt++ {
		err := recovered(op)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t.failed()
		level := slog.LevelWarn
		if attempt > r.cfg.Retries {
			level = slog.LevelError
		}
		r.log.Log(ctx, level, "policy follow-up failed; retrying", "policy", policy, "event", first.ID, "type", first.Type,
			"position", first.Position, "attempt", attempt, "err", err, "in", pause)
		if !backoff.Sleep(ctx, pause) {
			return ctx.Err()
		}
		pause = min(pause*2, r.cfg.MaxBackoff)
	}
}

// recovered runs op, turning a panic into an error.
func recovered(op func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return op()
}
