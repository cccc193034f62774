package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/backoff"
	"github.com/odata-pos/pos/internal/pguuid"
)

// Defaults of Options.
const (
	DefaultMaxConns         = 32
	DefaultStatementTimeout = 30 * time.Second
	DefaultPollInterval     = 500 * time.Millisecond
	DefaultReadAllHoleWait  = 250 * time.Millisecond
	DefaultHoleWarnAfter    = 5 * time.Second
	DefaultAppendBatchers   = 2
	DefaultMaxAppendBatch   = 64
	DefaultDirectAppends    = 2
	DefaultDirectOneEvent   = 8
	DefaultWakeCoalesce     = 10 * time.Millisecond
	DefaultBusyWakeCoalesce = 50 * time.Millisecond
)

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// Logger receives warnings (readers held back by a slow append, lost connections) and
	// migration notes. Default: slog.Default().
	Logger *slog.Logger
	// MaxConns caps the connection pool. Default: pool_max_conns from the URL when given,
	// otherwise DefaultMaxConns. Give at least as many as concurrent appenders.
	MaxConns int32
	// StatementTimeout bounds every statement of the store's pool on the server, appends
	// included (so that an append can never hold readers back for longer). Default
	// DefaultStatementTimeout, unless the URL sets statement_timeout; negative disables it.
	StatementTimeout time.Duration
	// PollInterval is how often an idle subscription polls for new events when no
	// notification arrives (writes by processes that do not notify). Default DefaultPollInterval.
	PollInterval time.Duration
	// ReadAllHoleWait is how long ReadAll and HeadPosition wait for an append in flight below
	// newer committed events before returning what they can safely return. Subscriptions wait
	// as long as it takes. Default DefaultReadAllHoleWait.
	ReadAllHoleWait time.Duration
	// HoleWarnAfter is how long a reader may be held back by an append in flight before a
	// warning naming the blocking backends is logged. Default DefaultHoleWarnAfter.
	HoleWarnAfter time.Duration
	// OnHoleWait, when set, is called after each wait of the readers for appends in flight
	// (for a metric such as a histogram of HoleWait.Waited). It must not block.
	OnHoleWait func(HoleWait)
	// SkipMigrations leaves the schema alone in Open (run Migrate beforehand).
	SkipMigrations bool
	// AppendBatchers is how many goroutines commit concurrent appends together (batch.go).
	// Default DefaultAppendBatchers; negative disables batching (each append commits alone).
	AppendBatchers int
	// MaxAppendBatch is the most appends committed in one statement. Default
	// DefaultMaxAppendBatch.
	MaxAppendBatch int
	// DirectAppends is how many appends in flight run alone, each on the goroutine that
	// calls Append, before further ones are handed to the batchers (batch.go). Default
	// DefaultDirectAppends: on a 2-core machine, 8 writers with 2 direct appends and 2
	// batchers cost the database about 40 % less CPU per append than with 8 direct appends
	// and 4 batchers (BenchmarkAppendBesideRaw, server_us); a lone append never waits for a
	// hand-off. Negative hands every append to the batchers. One-event appends have their
	// own limit, DirectOneEvent.
	DirectAppends int
	// DirectOneEvent is how many appends in flight an append of ONE event may find (itself
	// included) and still run alone, when that is more than DirectAppends. Alone, such an
	// append is one plain statement without arrays (newStreamSQL, appendKnownOneSQL) that
	// costs the database no more than its share of a small batch's array statement, and
	// PostgreSQL group-commits the concurrent ones itself; an append of several events alone
	// is an array statement whose fixed cost only batching shares. Default
	// DefaultDirectOneEvent: on 2 cores at 8 writers of one-event appends to new streams
	// (BenchmarkAppendBesideRaw), the 2 batchers otherwise took nearly every append (batches
	// of 2.4 on average, 2 statements in flight: 0.58-0.70 x raw), while 8 alone reached
	// 0.87-0.90 x raw at the same or less CPU per append (server_us 60-65 against 65-77 µs,
	// client_us 37 against 45-53; beside a busy core 0.44-0.67 against 0.25-0.26 x raw); at
	// 32 writers nearly every append still finds more than 8 in flight and is batched (3992
	// of 4000, 1.43-1.73 x raw either way). Through posd, 8 registers: database CPU per sale
	// 1.56-1.87 ms against 1.81-1.86, with 6.1-6.3 transactions per sale against 4.8-5.2
	// (32 registers: 1.30-1.33 against 1.24-1.37 ms). Under heavy load from other processes
	// (load average 10-20) the 8 alone cost the database more per append than batches would
	// (server_us 105-152 against 82-108 µs): batching is the cheaper choice on a saturated
	// machine, which this limit does not detect. Negative: the same as DirectAppends.
	DirectOneEvent int
	// WakeCoalesce is the least time between two reads of a caught-up subscription that
	// notifications wake: events committed meanwhile are read together, so a busy log costs
	// each subscriber one query per interval rather than one per append (a posd runs a dozen
	// subscriptions). It delays live delivery by at most this much. Default
	// DefaultWakeCoalesce; negative reads at every notification (and disables
	// BusyWakeCoalesce too).
	WakeCoalesce time.Duration
	// BusyWakeCoalesce replaces WakeCoalesce while the log grows by busyEventsPerSecond or
	// more, as the subscription's reads find it over spans of at least rateSpan: every read
	// of a subscription wakes its consumers, and each of those commits what it made of the
	// read (a projection its rows and checkpoint), so under load the number of reads, not of
	// events, sets much of what the read side costs. Live delivery is then delayed by at most this much; below that
	// rate WakeCoalesce applies. Default DefaultBusyWakeCoalesce; negative (or no more than
	// WakeCoalesce) keeps WakeCoalesce at every rate.
	BusyWakeCoalesce time.Duration
}

// HoleWait describes one wait of the $all readers for appends that had taken positions but
// not yet committed.
type HoleWait struct {
	// Through is the position up to which every append is known to have finished afterwards.
	Through eventstore.Position
	// Waited is how long the readers waited.
	Waited time.Duration
	// Blockers is the number of appends in flight that were waited for.
	Blockers int
	// Err is set when the wait ended without a result (store closed, connection lost).
	Err error
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.WakeCoalesce == 0 {
		o.WakeCoalesce = DefaultWakeCoalesce
	}
	if o.BusyWakeCoalesce == 0 {
		o.BusyWakeCoalesce = DefaultBusyWakeCoalesce
	}
	if o.ReadAllHoleWait <= 0 {
		o.ReadAllHoleWait = DefaultReadAllHoleWait
	}
	if o.HoleWarnAfter <= 0 {
		o.HoleWarnAfter = DefaultHoleWarnAfter
	}
	if o.StatementTimeout == 0 {
		o.StatementTimeout = DefaultStatementTimeout
	}
	if o.AppendBatchers == 0 {
		o.AppendBatchers = DefaultAppendBatchers
	}
	if o.MaxAppendBatch <= 0 {
		o.MaxAppendBatch = DefaultMaxAppendBatch
	}
	if o.DirectAppends == 0 {
		o.DirectAppends = DefaultDirectAppends
	}
	if o.DirectOneEvent == 0 {
		o.DirectOneEvent = DefaultDirectOneEvent
	}
	if o.DirectOneEvent < o.DirectAppends || o.DirectAppends < 0 {
		o.DirectOneEvent = o.DirectAppends
	}
	return o
}

// Store is the PostgreSQL event store. It implements eventstore.Store and is safe for
// concurrent use. Create it with Open and release it with Close.
type Store struct {
	pool *pgxpool.Pool
	opts Options
	log  *slog.Logger

	ctx    context.Context // cancelled by Close; parent of the store's goroutines
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed sync.Once

	// settled: every append that took a position at or below it has finished (doc.go).
	settled atomic.Uint64
	prover  prover

	// batches feeds the append batchers; nil when batching is disabled.
	batches chan *appendRequest
	// inFlight counts the appends in flight, to decide which run alone, and handedOff those
	// handed to the batchers (batch.go).
	inFlight  atomic.Int64
	handedOff atomic.Uint64
	// tips are the last revisions and hashes of streams, for appends without append_events;
	// knownWritten counts the appends written that way (knownappend.go).
	tips         tips
	knownWritten atomic.Uint64
	// atomicOneCalls counts the atomic calls written as one statement (atomic_one.go).
	atomicOneCalls atomic.Uint64

	// lastAppended and appended feed the notifier goroutine; othersListen and
	// listenersChecked (unix nanoseconds) are what it last found out about other listeners.
	lastAppended     atomic.Uint64
	appended         chan struct{}
	othersListen     atomic.Bool
	listenersChecked atomic.Int64
	wake             hub

	subsMu  sync.Mutex
	subs    map[*subscription]struct{}
	closing bool // set by Close: no new subscriptions
	// listening is set once the shared LISTEN goroutine runs.
	listening bool
	// listenerPID is the backend of the store's own LISTEN connection (0: none), which the
	// notifier need not notify.
	listenerPID atomic.Uint32
}

var _ eventstore.Store = (*Store)(nil)

// Open connects to the database at databaseURL, applies the event store migrations (unless
// opts.SkipMigrations) and starts the store's notifier. A URL may carry pgxpool settings such
// as pool_max_conns.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open event store: parse database url: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	} else if !hasParam(databaseURL, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "pos-eventstore"
	}
	// Migrations run with the URL's settings and the store's name, without a statement timeout
	// (a migration may rightly take long) or the store's planner settings (it may rightly scan).
	mcfg := cfg.ConnConfig.Copy()
	delete(mcfg.RuntimeParams, "statement_timeout")
	for name, value := range keyLookupPlanner {
		if _, set := cfg.ConnConfig.RuntimeParams[name]; !set {
			cfg.ConnConfig.RuntimeParams[name] = value
		}
	}
	if _, set := cfg.ConnConfig.RuntimeParams["statement_timeout"]; !set && opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	pguuid.Configure(cfg)
	if !opts.SkipMigrations {
		if err := migrate(ctx, mcfg, opts.Logger); err != nil {
			return nil, fmt.Errorf("open event store: %w", err)
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open event store: %w", unavailable(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open event store: %w", unavailable(err))
	}
	sctx, cancel := context.WithCancel(context.Background())
	s := &Store{
		pool:     pool,
		opts:     opts,
		log:      opts.Logger.With(slog.String("component", "pgstore")),
		ctx:      sctx,
		cancel:   cancel,
		appended: make(chan struct{}, 1),
		subs:     map[*subscription]struct{}{},
	}
	s.wake.init()
	s.wg.Add(1)
	go s.runNotifier()
	if opts.AppendBatchers > 0 {
		s.batches = make(chan *appendRequest)
		for range opts.AppendBatchers {
			s.wg.Add(1)
			go s.runBatcher()
		}
	}
	return s, nil
}

// Close ends the store's subscriptions that are still open, stops its goroutines and closes
// its connections. It is safe to call more than once.
func (s *Store) Close() error {
	s.closed.Do(func() {
		s.subsMu.Lock()
		s.closing = true
		subs := make([]*subscription, 0, len(s.subs))
		for sub := range s.subs {
			subs = append(subs, sub)
		}
		s.subsMu.Unlock()
		for _, sub := range subs {
			_ = sub.Close()
		}
		s.cancel()
		s.wg.Wait()
		s.pool.Close()
	})
	return nil
}

// retry runs op up to three times while it fails because the connection was lost (a killed
// backend, a server restart): the pool then replaces the broken connection. Only operations
// that are safe to repeat are retried; appends are, thanks to idempotent event IDs.
func (s *Store) retry(ctx context.Context, op func() error) error {
	const attempts = 3
	delay := 10 * time.Millisecond
	var err error
	for i := range attempts {
		if err = op(); err == nil || !errors.Is(err, eventstore.ErrUnavailable) || i == attempts-1 {
			return err
		}
		if !backoff.Sleep(ctx, backoff.Jitter(delay)) {
			return err
		}
		delay *= 4
	}
	return err
}

// hasParam reports whether the connection string sets the named parameter (URL query or
// keyword/value form).
func hasParam(databaseURL, name string) bool {
	return strings.Contains(databaseURL, name+"=") || strings.Contains(databaseURL, name+" =")
}
