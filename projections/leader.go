package projections

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
)

// lockKey is the advisory lock key of a projection's leadership.
func lockKey(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("pos.projection:" + name))
	return int64(h.Sum64())
}

// contend tries every PollInterval to take the advisory lock of p on a dedicated connection and
// runs p while it holds it. The lock is session-level: if this process dies, PostgreSQL drops
// the connection and the lock with it, and another replica's contend takes over.
func (r *Runner) contend(ctx context.Context, p Projection) {
	log := r.log.With("projection", p.Name())
	var conn *pgx.Conn
	release := func() {
		if conn != nil {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = conn.Close(cctx) // closing the session releases the lock
			cancel()
			conn = nil
		}
	}
	defer release()
	tick := time.NewTicker(r.cfg.PollInterval)
	defer tick.Stop()
	for {
		if conn == nil {
			c, err := pgx.ConnectConfig(ctx, r.cfg.Pool.Config().ConnConfig.Copy())
			if err != nil && ctx.Err() == nil {
				log.Warn("projection leadership: connect", "error", err)
			}
			conn = c
		}
		if conn != nil {
			var got bool
			// Not interrupted by ctx: a try-lock cancelled in flight may have taken the lock on
			// the server while the client gives up on the connection, and the server would then
			// release it only once it notices the closed socket (Status would report a leader
			// that has left). Uninterrupted, a lock taken is always unlocked below.
			qctx, qcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			err := conn.QueryRow(qctx, `SELECT pg_try_advisory_lock($1)`, lockKey(p.Name())).Scan(&got)
			qcancel()
			switch {
			case err != nil:
				if ctx.Err() == nil {
					log.Warn("projection leadership: try lock", "error", err)
				}
				release()
			case got:
				log.Info("projection leadership acquired")
				err := r.lead(ctx, p, conn)
				// Unlock before closing: the server may take a moment to notice a closed
				// socket, and Status should not report a leader that has left.
				uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				_, _ = conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, lockKey(p.Name()))
				cancel()
				release()
				if err != nil {
					log.Warn("projection leadership lost", "error", err)
					// A replica whose lock connection broke is likely the unhealthy one: give
					// the others two polls to take over before trying again.
					select {
					case <-ctx.Done():
						return
					case <-time.After(2 * r.cfg.PollInterval):
					}
				} else {
					log.Info("projection leadership released")
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// leader runs the tracks of one projection while this process holds its lock.
type leader struct {
	r       *Runner
	p       Projection
	tracks  map[string]*running // by schema
	retryAt map[string]time.Time
	changed chan struct{} // poked when a track stops
}

// running is a track's goroutine.
type running struct {
	t      *track
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// lead runs p until ctx is done (nil) or the lock connection fails (the error).
func (r *Runner) lead(ctx context.Context, p Projection, conn *pgx.Conn) error {
	name := p.Name()
	r.metrics.leader.WithLabelValues(name).Set(1)
	defer r.metrics.leader.WithLabelValues(name).Set(0)
	r.notify.lead(name, true)
	defer r.notify.lead(name, false)

	l := &leader{r: r, p: p, tracks: map[string]*running{}, retryAt: map[string]time.Time{},
		changed: make(chan struct{}, 1)}
	defer l.stopAll()
	tick := time.NewTicker(r.cfg.PollInterval)
	defer tick.Stop()
	for {
		if err := l.reconcile(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("projection: reconcile", "projection", name, "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			// Not interrupted by ctx, as the try-lock in contend: pgx gives up on a connection
			// whose query is cancelled, so a shutdown during the ping left the unlock nothing to
			// run on, and Status reported a leader that had left until the server noticed the
			// closed socket (seen once in CI: TestRunnerAppliesBatchesAndWaitFor).
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("lock connection: %w", err)
			}
		case <-r.wakes[name]:
		case <-l.changed:
			l.reap(ctx)
		}
	}
}

// reconcile makes the running tracks match the checkpoint rows: it creates the first
// generation, starts a rebuild on a version change, and runs the live generation (unless it
// is failed or of another version) and the one being rebuilt (unless failed).
func (l *leader) reconcile(ctx context.Context) error {
	r, p, name := l.r, l.p, l.p.Name()
	cps, err := loadCheckpoints(ctx, r.cfg.Pool, name, false)
	if err != nil {
		return err
	}
	live, next := split(cps)
	if live == nil {
		err := pgx.BeginFunc(ctx, r.cfg.Pool, func(tx pgx.Tx) error {
			c, err := createGeneration(ctx, tx, p, true, nil)
			live = &c
			return err
		})
		if err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		r.log.Info("projection created", "projection", name, "schema", live.Schema)
	}
	if next != nil && next.Version != p.Version() {
		l.stop(next.Schema)
		if err := pgx.BeginFunc(ctx, r.cfg.Pool, func(tx pgx.Tx) error { return dropGeneration(ctx, tx, next.Schema) }); err != nil {
			return err
		}
		r.log.Info("projection: dropped a rebuild of another version", "projection", name, "schema", next.Schema)
		next = nil
	}
	if live.Version != p.Version() && next == nil {
		err := pgx.BeginFunc(ctx, r.cfg.Pool, func(tx pgx.Tx) error {
			c, err := createGeneration(ctx, tx, p, false, live.Skipped)
			next = &c
			return err
		})
		if err != nil {
			return fmt.Errorf("start rebuild of %s: %w", name, err)
		}
		r.log.Info("projection version changed: rebuilding", "projection", name,
			"from", live.Version, "to", p.Version(), "schema", next.Schema)
	}
	want := map[string]checkpoint{}
	if live.Status == statusRunning && live.Version == p.Version() {
		want[live.Schema] = *live
	}
	if next != nil && next.Status == statusRebuilding {
		want[next.Schema] = *next
	}
	for _, c := range []*checkpoint{live, next} {
		if c != nil {
			failed := 0.0
			if c.Status == statusFailed {
				failed = 1
			}
			label := map[bool]string{true: "live", false: "rebuild"}[c.Live]
			r.metrics.failed.WithLabelValues(name, label).Set(failed)
			r.metrics.parked.WithLabelValues(name, label).Set(float64(c.Parked))
		}
	}
	for schema := range l.tracks {
		if _, ok := want[schema]; !ok {
			l.stop(schema)
		}
	}
	for schema, cp := range want {
		if _, ok := l.tracks[schema]; !ok && time.Now().After(l.retryAt[schema]) {
			l.start(ctx, cp)
		}
	}
	return nil
}

func (l *leader) start(ctx context.Context, cp checkpoint) {
	t := newTrack(l.r, l.p, cp)
	if cp.Live {
		l.r.notify.advance(cp.Name, cp.Position)
	}
	tctx, cancel := context.WithCancel(ctx)
	rt := &running{t: t, cancel: cancel, done: make(chan struct{})}
	l.tracks[cp.Schema] = rt
	go func() {
		rt.err = t.run(tctx)
		close(rt.done) // before the poke: reap must find it done
		select {
		case l.changed <- struct{}{}:
		default:
		}
	}()
}

// stop cancels a track and waits until its goroutine (and its last batch) has finished.
func (l *leader) stop(schema string) {
	if rt, ok := l.tracks[schema]; ok {
		rt.cancel()
		<-rt.done
		delete(l.tracks, schema)
	}
}

func (l *leader) stopAll() {
	for schema := range l.tracks {
		l.stop(schema)
	}
}

// reap handles tracks that stopped on their own.
func (l *leader) reap(ctx context.Context) {
	for schema, rt := range l.tracks {
		select {
		case <-rt.done:
		default:
			continue
		}
		delete(l.tracks, schema)
		log := l.r.log.With("projection", l.p.Name(), "schema", schema)
		switch {
		case errors.Is(rt.err, errCaughtUp):
			if err := l.swap(ctx, rt.t); err != nil && ctx.Err() == nil {
				log.Warn("projection: swap after rebuild", "error", err)
				l.retryAt[schema] = time.Now().Add(l.r.cfg.PollInterval)
			}
		case errors.Is(rt.err, errFailed), ctx.Err() != nil:
		default:
			log.Warn("projection track stopped; restarting it", "error", rt.err)
			l.retryAt[schema] = time.Now().Add(l.r.cfg.PollInterval)
		}
	}
}
