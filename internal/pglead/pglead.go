// Package pglead elects one leader per key among the processes sharing a PostgreSQL database,
// with a session-level advisory lock held on a dedicated connection: if the leader dies, the
// server drops its connection and the lock with it, and another process takes over. It is the
// technique of the projection runner (projections/leader.go), for workers of their own.
package pglead

import (
	"context"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Key derives an advisory lock key from a name (namespaced so that keys of other kinds of
// workers do not collide).
func Key(namespace, name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(namespace + ":" + name))
	return int64(h.Sum64())
}

// Elector runs work while this process holds one advisory lock.
type Elector struct {
	// Conn is the configuration of the dedicated lock connection.
	Conn *pgx.ConnConfig
	// Key is the advisory lock.
	Key int64
	// Poll is how often a follower tries to take the lock, and the leader checks its lock
	// connection.
	Poll time.Duration
	// Log receives leadership changes.
	Log *slog.Logger
	// OnLead is called with true when leadership is taken and false when it is given up
	// (may be nil).
	OnLead func(bool)
}

// Run tries every Poll to take the lock and, while it holds it, runs lead with a context that
// ends when the lock connection fails or ctx ends. When lead returns an error, Run gives the
// lock up and waits two polls before contending again (a replica that fails is likely the
// unhealthy one). Run returns when ctx ends.
func (e Elector) Run(ctx context.Context, lead func(ctx context.Context) error) {
	for {
		held, err := e.hold(ctx, lead)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && held:
			e.Log.Warn("leadership given up", "error", err)
			Sleep(ctx, 2*e.Poll)
		case err != nil:
			e.Log.Warn("leadership: lock", "error", err)
			Sleep(ctx, e.Poll)
		default:
			Sleep(ctx, e.Poll)
		}
	}
}

// hold connects, tries the lock once and runs lead while it holds it. held reports whether
// it took the lock.
func (e Elector) hold(ctx context.Context, lead func(ctx context.Context) error) (held bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, e.Conn.Copy())
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = conn.Close(cctx) // closing the session releases the lock
		cancel()
	}()
	// Not interrupted by ctx: a try-lock cancelled in flight may take the lock on the server
	// while the client drops the connection (see projections/leader.go).
	qctx, qcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	err = conn.QueryRow(qctx, `SELECT pg_try_advisory_lock($1)`, e.Key).Scan(&held)
	qcancel()
	if err != nil || !held {
		return false, err
	}
	e.Log.Info("leadership acquired")
	if e.OnLead != nil {
		e.OnLead(true)
		defer e.OnLead(false)
	}
	lctx, cancel := context.WithCancelCause(ctx)
	done := make(chan error, 1)
	go func() { done <- lead(lctx) }()
	tick := time.NewTicker(e.Poll)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			cancel(nil)
			e.unlock(ctx, conn)
			return true, err
		case <-tick.C:
			if perr := conn.Ping(ctx); perr != nil && ctx.Err() == nil {
				cancel(perr)
				if err := <-done; err != nil {
					e.Log.Warn("leader work ended after the lock connection failed", "error", err)
				}
				return true, perr
			}
		}
	}
}

// unlock releases the lock before the connection closes, so that another process can take it
// at once rather than when the server notices the closed socket.
func (e Elector) unlock(ctx context.Context, conn *pgx.Conn) {
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, e.Key)
}

// Sleep waits for d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
