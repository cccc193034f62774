package policies

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/feed"
)

// Policy is one process manager: the events it follows and what it does with each.
type Policy struct {
	// Name identifies the policy and its checkpoint; never rename a running policy.
	Name string
	// Filter selects the events of $all the policy handles.
	Filter eventstore.Filter
	// Handle appends the follow-ups of one event. It must be idempotent (deterministic IDs):
	// it runs again for an event whose checkpoint was not saved.
	Handle func(ctx context.Context, e eventstore.RecordedEvent) error
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
	// Retries is how often the router retries a failing event before the runner backs off
	// and hands it over again (forever); default 3, from RetryInterval (default 50 ms)
	// doubling up to MaxBackoff (default 5 s), which also caps the pause between hand-overs.
	Retries       int
	RetryInterval time.Duration
	MaxBackoff    time.Duration
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
		if p.Name == "" || p.Handle == nil {
			errs = append(errs, fmt.Errorf("policies: policy %q needs a name and a handler", p.Name))
		}
		if seen[p.Name] {
			errs = append(errs, fmt.Errorf("policies: %s registered twice", p.Name))
		}
		seen[p.Name] = true
	}
	if c.Retries < 0 || c.RetryInterval < 0 || c.MaxBackoff < 0 {
		errs = append(errs, errors.New("policies: retries and intervals must not be negative"))
	}
	return errors.Join(errs...)
}

// Runner runs policies.
type Runner struct {
	cfg Config
	log *slog.Logger
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
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Runner{cfg: cfg, log: log}, nil
}

// Run is New(cfg) followed by Run.
func Run(ctx context.Context, cfg Config) error {
	r, err := New(cfg)
	if err != nil {
		return err
	}
	return r.Run(ctx)
}

// Run runs every policy until ctx is done, then stops them and their router and returns nil
// (or the router's error). Every goroutine it starts has stopped when it returns.
func (r *Runner) Run(ctx context.Context) error {
	logger := watermill.NewSlogLoggerWithLevelMapping(r.log, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 30 * time.Second}, logger)
	if err != nil {
		return fmt.Errorf("policies: new router: %w", err)
	}
	router.AddMiddleware(captureError, middleware.Retry{
		MaxRetries:      r.cfg.Retries,
		InitialInterval: r.cfg.RetryInterval,
		MaxInterval:     r.cfg.MaxBackoff,
		Multiplier:      2,
		ShouldRetry:     func(p middleware.RetryParams) bool { return !errors.Is(p.Err, context.Canceled) },
		Logger:          logger,
	}.Middleware, middleware.Recoverer)
	f := feed.New()
	for _, p := range r.cfg.Policies {
		f.Add(p.Name)
		handle := p.Handle
		router.AddConsumerHandler(p.Name, p.Name, f, func(msg *message.Message) error {
			d, ok := msg.Context().Value(deliveryKey{}).(*delivery)
			if !ok {
				return errors.New("policies: message without an event")
			}
			return handle(msg.Context(), d.event)
		})
	}
	routerDone := make(chan struct{})
	var routerErr error
	go func() {
		defer close(routerDone)
		// The router outlives ctx: it is closed below, after the feeders stopped.
		routerErr = router.Run(context.WithoutCancel(ctx))
	}()
	select {
	case <-router.Running():
	case <-routerDone:
		return fmt.Errorf("policies: router: %w", routerErr)
	}
	var wg sync.WaitGroup
	for _, p := range r.cfg.Policies {
		wg.Go(func() { r.loop(ctx, p, f, routerDone) })
	}
	wg.Wait()
	cerr := router.Close()
	<-routerDone
	return errors.Join(cerr, routerErr)
}

// loop follows one policy's events until ctx is done, resubscribing after failures.
func (r *Runner) loop(ctx context.Context, p Policy, f *feed.Feed, routerDone <-chan struct{}) {
	pause := r.cfg.RetryInterval
	for ctx.Err() == nil {
		err := r.follow(ctx, p, f, routerDone)
		if ctx.Err() != nil {
			return
		}
		r.log.Error("policy stopped; restarting from its checkpoint", "policy", p.Name, "err", err, "in", pause)
		if !sleep(ctx, pause) {
			return
		}
		pause = min(pause*2, r.cfg.MaxBackoff)
	}
}

// follow subscribes from the checkpoint and handles events until ctx is done or it fails.
func (r *Runner) follow(ctx context.Context, p Policy, f *feed.Feed, routerDone <-chan struct{}) error {
	from, err := r.cfg.Checkpoints.Load(ctx, p.Name)
	if err != nil {
		return fmt.Errorf("load checkpoint: %w", err)
	}
	sub, err := r.cfg.Handler.Store().SubscribeAll(ctx, from, p.Filter)
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	defer func() { _ = sub.Close() }()
	for e := range sub.Events() {
		if err := r.deliver(ctx, p, f, routerDone, e); err != nil {
			return err
		}
		if err := r.cfg.Checkpoints.Save(ctx, p.Name, e.Position); err != nil {
			return fmt.Errorf("save checkpoint at %d: %w", e.Position, err)
		}
	}
	if err := sub.Err(); err != nil {
		return fmt.Errorf("subscription: %w", err)
	}
	return ctx.Err()
}

// deliver hands e to the router until its handler succeeds, backing off between attempts.
// It returns an error only when ctx is done or the router stopped.
func (r *Runner) deliver(ctx context.Context, p Policy, f *feed.Feed, routerDone <-chan struct{}, e eventstore.RecordedEvent) error {
	pause := r.cfg.RetryInterval
	for {
		d := &delivery{event: e}
		msg := message.NewMessage(e.ID.String(), nil)
		msg.SetContext(context.WithValue(ctx, deliveryKey{}, d))
		if err := f.Send(ctx, p.Name, msg); err != nil {
			return err
		}
		select {
		case <-msg.Acked():
			return nil
		case <-msg.Nacked():
		case <-routerDone:
			return errors.New("policies: router stopped")
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.log.Error("policy follow-up failed; retrying", "policy", p.Name, "event", e.ID, "type", e.Type,
			"position", e.Position, "err", d.err, "in", pause)
		if !sleep(ctx, pause) {
			return ctx.Err()
		}
		pause = min(pause*2, r.cfg.MaxBackoff)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// delivery is one hand-over of an event; err is the handler's final error.
type delivery struct {
	event eventstore.RecordedEvent
	err   error
}

type deliveryKey struct{}

// captureError records the handler's final error (after retries) for the waiting feeder.
func captureError(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if d, ok := msg.Context().Value(deliveryKey{}).(*delivery); ok {
			d.err = err
		}
		return out, err
	}
}
