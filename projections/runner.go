package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/eventstore"
)

// Config configures a Runner. Pool, Store and Projections are required.
type Config struct {
	// Pool is the PostgreSQL database of the read models. Leadership locks use dedicated
	// connections made from its configuration.
	Pool *pgxpool.Pool
	// Store is the event store whose $all the projections fold.
	Store eventstore.Store
	// Projections are the read models this process can run (every replica should register the
	// same ones).
	Projections []Projection
	// Registerer receives the runner's metrics; nil keeps them private.
	Registerer prometheus.Registerer
	// Logger receives the runner's logs; nil discards them.
	Logger *slog.Logger
	// ID names this runner in logs (for example the host name); default "runner".
	ID string
	// BatchSize is the most events applied in one transaction; default 500.
	BatchSize int
	// BatchWait is how long a batch waits for more events once it has one; default 50 ms.
	BatchWait time.Duration
	// PollInterval is how often a waiting replica tries to take a projection over and a leader
	// re-reads its checkpoint rows (rebuild requests, skips); default 1 s.
	PollInterval time.Duration
	// IdleInterval is how often an idle worker checks whether it has caught up with the head
	// of $all (moving its checkpoint over events its filter does not select); default 100 ms.
	IdleInterval time.Duration
	// IdleCommitInterval is how often at most an idle live projection commits its checkpoint
	// over events its filter does not select, while the log moves; default 1 s. Waiters in this
	// process learn of the move at once (it needs no commit: nothing was applied); a process
	// that does not run the projection polls the committed checkpoint, so it may see such a
	// position up to this much later.
	IdleCommitInterval time.Duration
	// Retries is how many times a failed batch is retried (exponential backoff from
	// RetryInterval, doubling, at most 5 s) before its events are tried one by one and a
	// failing event stops the projection; default 3.
	Retries int
	// RetryInterval is the first backoff interval of those retries; default 100 ms.
	RetryInterval time.Duration
	// ParkLimit is how many poison events one generation of a projection sets aside (parks)
	// and goes on; the next one stops it (status failed), since that many is a broken
	// projection, not a bad event. Default 100.
	ParkLimit int
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.Pool == nil {
		errs = append(errs, errors.New("projections: Pool is required"))
	}
	if c.Store == nil {
		errs = append(errs, errors.New("projections: Store is required"))
	}
	seen := map[string]bool{}
	for _, p := range c.Projections {
		if err := ValidateName(p.Name()); err != nil {
			errs = append(errs, err)
		}
		if seen[p.Name()] {
			errs = append(errs, fmt.Errorf("projections: %s registered twice", p.Name()))
		}
		seen[p.Name()] = true
		if p.Version() < 0 {
			errs = append(errs, fmt.Errorf("projections: %s has negative version %d", p.Name(), p.Version()))
		}
	}
	if c.BatchSize < 0 || c.BatchWait < 0 || c.PollInterval < 0 || c.IdleInterval < 0 || c.IdleCommitInterval < 0 || c.Retries < 0 || c.RetryInterval < 0 || c.ParkLimit < 0 {
		errs = append(errs, errors.New("projections: sizes, intervals and retries must not be negative"))
	}
	return errors.Join(errs...)
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.BatchSize == 0 {
		c.BatchSize = 500
	}
	def(&c.BatchWait, 50*time.Millisecond)
	def(&c.PollInterval, time.Second)
	def(&c.IdleInterval, 100*time.Millisecond)
	def(&c.IdleCommitInterval, time.Second)
	def(&c.RetryInterval, 100*time.Millisecond)
	if c.Retries == 0 {
		c.Retries = 3
	}
	if c.ParkLimit == 0 {
		c.ParkLimit = 100
	}
	if c.ID == "" {
		c.ID = "runner"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Registerer == nil {
		c.Registerer = prometheus.NewRegistry()
	}
}

// Runner runs projections (Run) and answers about them (Status, WaitFor, ActiveSchema) and
// for operators (Rebuild, Skip). Only Run needs to be running for projections to advance; the
// other methods work in any replica, leader or not.
type Runner struct {
	cfg     Config
	log     *slog.Logger
	byName  map[string]Projection
	metrics *metrics
	notify  *notifier

	wakes map[string]chan struct{} // poked by Rebuild and Skip to re-read the rows at once; read-only after New
	// lagHead is the head of $all the tracks' lag figures are measured against: one
	// HeadPosition a second for all of them rather than one per track.
	lagHead *eventstore.HeadCache
}

// New validates cfg and returns a Runner.
func New(cfg Config) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("projections: register metrics: %w", err)
	}
	r := &Runner{
		cfg: cfg, log: cfg.Logger.With("component", "projections", "runner", cfg.ID),
		byName: map[string]Projection{}, metrics: m, notify: newNotifier(), wakes: map[string]chan struct{}{},
		lagHead: &eventstore.HeadCache{Store: cfg.Store},
	}
	for _, p := range cfg.Projections {
		r.byName[p.Name()] = p
		r.wakes[p.Name()] = make(chan struct{}, 1)
	}
	return r, nil
}

// ErrUnknownProjection is returned for a name that no registered projection has.
var ErrUnknownProjection = errors.New("unknown projection")

func (r *Runner) projection(name string) (Projection, error) {
	p, ok := r.byName[name]
	if !ok {
		return nil, fmt.Errorf("projection %q: %w", name, ErrUnknownProjection)
	}
	return p, nil
}

// wake pokes the worker of name (if it runs in this process) to re-read its rows now.
func (r *Runner) wake(name string) {
	select {
	case r.wakes[name] <- struct{}{}:
	default:
	}
}

// Run creates the control table, then runs every projection whose advisory lock this process
// wins (and keeps trying for the others) until ctx is done. It returns once every worker, the
// and their goroutines have stopped; the error is nil after cancellation.
func (r *Runner) Run(ctx context.Context) error {
	if err := r.Migrate(ctx); err != nil {
		if ctx.Err() != nil {
			return nil //nolint:nilerr // cancelled during start-up: Run returns nil after cancellation
		}
		return err
	}
	var wg sync.WaitGroup
	for _, p := range r.cfg.Projections {
		wg.Go(func() { r.contend(ctx, p) })
	}
	wg.Wait()
	return nil
}
