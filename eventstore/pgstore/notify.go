package pgstore

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/internal/backoff"
)

// notifyChannel is the LISTEN/NOTIFY channel on which stores announce new events. The payload
// is the highest position appended; listeners only use the notification as a wake-up.
const notifyChannel = "pos_events"

// notifyInterval is the least time between two notifications of one store: appends in between
// are announced together.
const notifyInterval = time.Millisecond

// A LISTEN connection holds this session advisory lock (shared) while it listens, so that
// notifiers can tell whether anybody else listens at all: a store whose events nobody else
// awaits sends no NOTIFY. listenerRecheck is how often a notifier looks again.
const (
	listenerLockClass int32 = 0x706f7365 // "pose"
	listenerLockObj   int32 = 1
	listenerRecheck         = time.Second
)

const othersListeningSQL = `
SELECT EXISTS (
    SELECT FROM pg_locks l
     WHERE l.locktype = 'advisory'
       AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
       AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2
       AND l.pid <> $3)`

// Backoff of the LISTEN connection and of subscriptions after a lost connection.
const (
	reconnectFirst = 50 * time.Millisecond
	reconnectMax   = 5 * time.Second
)

// hub fans wake-ups out to the store's subscriptions. Each registered channel has room for one
// pending wake-up, so a burst of notifications costs a subscriber one extra read at most.
type hub struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

func (h *hub) init() { h.subs = map[chan struct{}]struct{}{} }

func (h *hub) register() chan struct{} {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch
}

func (h *hub) unregister(ch chan struct{}) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}

func (h *hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// runNotifier announces this store's appends to other processes: one coalesced pg_notify at
// most every notifyInterval (appends wake the store's own subscriptions themselves, and
// signal the notifier only while others listen or when it is time to look again). The NOTIFY
// is deliberately not part of the append transaction: PostgreSQL serialises the commits of
// notifying transactions, which would defeat group commit under concurrent appends.
func (s *Store) runNotifier() {
	defer s.wg.Done()
	var sent uint64
	var others bool
	var checked time.Time
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.appended:
		}
		pos := s.lastAppended.Load()
		if pos <= sent {
			continue
		}
		if time.Since(checked) >= listenerRecheck {
			err := s.pool.QueryRow(s.ctx, othersListeningSQL, listenerLockClass, listenerLockObj, s.listenerPID.Load()).Scan(&others)
			if err != nil {
				others = true // cannot tell: notify
			}
			checked = time.Now()
			s.othersListen.Store(others)
			s.listenersChecked.Store(checked.UnixNano())
		}
		if !others {
			sent = pos // nobody else listens; a new listener catches up by itself
			continue
		}
		_, err := s.pool.Exec(s.ctx, `SELECT pg_notify($1, $2)`, notifyChannel, strconv.FormatUint(pos, 10))
		if err != nil && s.ctx.Err() == nil {
			// Listeners fall back to polling; nothing is lost.
			s.log.Debug("notify new events", slog.Any("error", err))
		} else {
			sent = pos
		}
		if !backoff.Sleep(s.ctx, notifyInterval) {
			return
		}
	}
}

// ensureListener starts the store's one LISTEN connection the first time a subscription needs
// it. It keeps running (reconnecting when the connection is lost) until the store is closed.
func (s *Store) ensureListener() {
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	if s.listening || s.ctx.Err() != nil {
		return
	}
	s.listening = true
	s.wg.Add(1)
	go s.runListener()
}

func (s *Store) runListener() {
	defer s.wg.Done()
	delay := reconnectFirst
	for s.ctx.Err() == nil {
		err := s.listen(s.ctx, func() { delay = reconnectFirst })
		if s.ctx.Err() != nil {
			return
		}
		s.log.Warn("event notifications lost; subscriptions poll until reconnected",
			slog.Any("error", err), slog.Duration("retry_in", delay))
		if !backoff.Sleep(s.ctx, backoff.Jitter(delay)) {
			return
		}
		delay = min(2*delay, reconnectMax)
	}
}

// listen holds one LISTEN connection until it fails or ctx ends, waking every subscription on
// each notification and once after (re)connecting, in case it missed some while disconnected.
func (s *Store) listen(ctx context.Context, connected func()) error {
	cfg := s.pool.Config().ConnConfig.Copy()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock_shared($1, $2)`, listenerLockClass, listenerLockObj); err != nil {
		return err
	}
	s.listenerPID.Store(conn.PgConn().PID())
	connected()
	s.wake.wakeAll()
	// Another process's notifier may have looked for listeners just before this one took its
	// lock and, seeing none, skip its appends' NOTIFY for up to listenerRecheck. Wake the
	// subscriptions again once every notifier has looked anew, so that such an append waits
	// at most that long rather than for a later append or the poll.
	late := time.AfterFunc(listenerRecheck+100*time.Millisecond, s.wake.wakeAll)
	defer late.Stop()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.wake.wakeAll()
	}
}
