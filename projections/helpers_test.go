package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/internal/poll"
	"github.com/odata-pos/pos/projections"
)

// itemAdded is the test event: amount added to an item's total.
type itemAdded struct {
	Item   string `json:"item"`
	Amount int64  `json:"amount"`
	Poison bool   `json:"poison,omitempty"`
}

// items is the test projection: per item, a count and a total (one upsert per event), and a
// log of applied positions that shows any event applied twice.
type items struct {
	name    string
	version int
	filter  eventstore.Filter
	delay   time.Duration // per batch, to widen windows (crash, takeover, rebuild)
	noLog   bool
	tracker *tracker
	runner  string
	healed  atomic.Bool // the fix of a poison event: when set, poison events apply as any other
}

func (p *items) Name() string              { return p.name }
func (p *items) Version() int              { return p.version }
func (p *items) Filter() eventstore.Filter { return p.filter }

func (p *items) Setup(ctx context.Context, tx pgx.Tx, schema string) error {
	_, err := tx.Exec(ctx, fmt.Sprintf(`
		CREATE TABLE %s (item text PRIMARY KEY, count bigint NOT NULL, total bigint NOT NULL, last_position bigint NOT NULL);
		CREATE TABLE %s (position bigint NOT NULL);`,
		projections.Table(schema, "items"), projections.Table(schema, "applied")))
	return err
}

func (p *items) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	if p.tracker != nil {
		defer p.tracker.enter(p.runner)()
	}
	if p.delay > 0 {
		select {
		case <-time.After(p.delay):
		case <-ctx.Done():
			if p.tracker != nil {
				p.tracker.interrupted.Add(1)
			}
			return ctx.Err()
		}
	}
	upsert := `INSERT INTO ` + projections.Table(schema, "items") + ` AS i (item, count, total, last_position)
		VALUES ($1, 1, $2, $3) ON CONFLICT (item) DO UPDATE
		SET count = i.count + 1, total = i.total + excluded.total, last_position = excluded.last_position`
	logRow := `INSERT INTO ` + projections.Table(schema, "applied") + ` (position) VALUES ($1)`
	b := &pgx.Batch{}
	for _, e := range batch {
		var d itemAdded
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return fmt.Errorf("decode %s at %d: %w", e.Type, e.Position, err)
		}
		if d.Poison && !p.healed.Load() {
			return fmt.Errorf("event at %d: %w", e.Position, errPoison)
		}
		b.Queue(upsert, d.Item, d.Amount, int64(e.Position))
		if !p.noLog {
			b.Queue(logRow, int64(e.Position))
		}
	}
	return projections.SendBatch(ctx, tx, b)
}

var errPoison = errors.New("poison event")

// tracker records how many Apply calls run at once (across runners) and which runner ran them.
type tracker struct {
	interrupted atomic.Int64 // Apply calls cancelled mid-batch

	mu        sync.Mutex
	active    int
	maxActive int
	byRunner  map[string]int
}

func (t *tracker) enter(runner string) func() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active++
	t.maxActive = max(t.maxActive, t.active)
	if t.byRunner == nil {
		t.byRunner = map[string]int{}
	}
	t.byRunner[runner]++
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.active--
	}
}

func (t *tracker) inFlight() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.active > 0
}

func (t *tracker) snapshot() (int, map[string]int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]int{}
	for k, v := range t.byRunner {
		out[k] = v
	}
	return t.maxActive, out
}

func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// appendItems appends n item events (items item-0..item-9, amount i) and returns the last
// position. Events whose index is in poison carry the poison flag.
func appendItems(t testing.TB, s eventstore.Store, from, n int, poison ...int) eventstore.Position {
	t.Helper()
	var last eventstore.Position
	for i := from; i < from+n; i++ {
		d := itemAdded{Item: fmt.Sprintf("item-%d", i%10), Amount: int64(i)}
		for _, p := range poison {
			d.Poison = d.Poison || p == i
		}
		data, _ := json.Marshal(d)
		res, err := s.Append(context.Background(), fmt.Sprintf("item-%d", i%10), eventstore.Any, []eventstore.EventData{{
			ID: uuid.New(), Type: "test.item_added.v1", Data: data,
			Metadata: eventstore.Metadata{OccurredAt: time.Unix(int64(i), 0).UTC()},
		}})
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		last = res.Position
	}
	return last
}

// appendOther appends an event the items projections' filter does not select.
func appendOther(t testing.TB, s eventstore.Store) eventstore.Position {
	t.Helper()
	res, err := s.Append(context.Background(), "other-1", eventstore.Any, []eventstore.EventData{{
		ID: uuid.New(), Type: "test.other.v1", Data: json.RawMessage(`{}`)}})
	if err != nil {
		t.Fatalf("append other: %v", err)
	}
	return res.Position
}

// fastConfig is a runner configuration with short intervals for tests.
func fastConfig(pool *pgxpool.Pool, store eventstore.Store, ps ...projections.Projection) projections.Config {
	var logger *slog.Logger
	if os.Getenv("POS_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return projections.Config{
		Logger: logger,
		Pool:   pool, Store: store, Projections: ps, Registerer: prometheus.NewRegistry(),
		BatchSize: 100, BatchWait: 10 * time.Millisecond, PollInterval: 200 * time.Millisecond,
		IdleInterval: 20 * time.Millisecond, Retries: 2, RetryInterval: 10 * time.Millisecond,
	}
}

// started is a running Runner; stop cancels it and waits for Run to return.
type started struct {
	*projections.Runner
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

func (s *started) stop(t testing.TB) {
	t.Helper()
	s.once.Do(func() {
		s.cancel()
		s.err = <-s.done
	})
	if s.err != nil {
		t.Errorf("run: %v", s.err)
	}
}

func start(t testing.TB, cfg projections.Config) *started {
	t.Helper()
	r, err := projections.New(cfg)
	if err != nil {
		t.Fatalf("new runner: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{Runner: r, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- r.Run(ctx) }()
	t.Cleanup(func() { s.stop(t) })
	return s
}

func waitFor(t testing.TB, r *projections.Runner, name string, pos eventstore.Position) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.WaitFor(ctx, name, pos); err != nil {
		t.Fatalf("wait for %s at %d: %v", name, pos, err)
	}
}

// eventually polls cond until it holds or 30 s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	poll.Eventually(t, 30*time.Second, cond, poll.Is(what))
}

func statusOf(t testing.TB, r *projections.Runner, name string) []projections.ProjectionStatus {
	t.Helper()
	all, err := r.Status(context.Background())
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	var out []projections.ProjectionStatus
	for _, s := range all {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// dump returns the rows of a query as strings, in query order.
func dump(t testing.TB, pool *pgxpool.Pool, sql string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		vals, err := row.Values()
		return fmt.Sprint(vals...), err
	})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// expectedItems folds events 0..n-1 (minus skipped indexes) the way the projection should.
func expectedItems(n int, skip ...int) []string {
	count, total := map[int]int64{}, map[int]int64{}
	for i := 0; i < n; i++ {
		skipped := false
		for _, s := range skip {
			skipped = skipped || s == i
		}
		if !skipped {
			count[i%10]++
			total[i%10] += int64(i)
		}
	}
	var out []string
	for k := 0; k < 10; k++ {
		if count[k] > 0 {
			out = append(out, fmt.Sprint(fmt.Sprintf("item-%d", k), count[k], total[k]))
		}
	}
	return out
}

const itemsQuery = `SELECT item, count, total FROM items.items ORDER BY item`

func equal(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }
