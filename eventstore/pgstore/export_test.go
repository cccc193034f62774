package pgstore

import (
	"context"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// MigrateTo applies the event store migrations up to version only (tests of later migrations).
func MigrateTo(ctx context.Context, databaseURL string, version int64) error {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return err
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub,
		goose.WithTableName(MigrationsTable), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate to %d: %w", version, err)
	}
	return nil
}

// SetTip makes s take revision and hash for the tip of stream, whatever it knew (tests of
// stale tips).
func (s *Store) SetTip(stream string, revision int64, hash []byte) {
	s.tips.forget(stream)
	s.tips.putHash(stream, revision, hash)
}

// Tip returns the tip of stream that s knows.
func (s *Store) Tip(stream string) (revision int64, hash []byte, ok bool) {
	tp, ok := s.tips.get(stream)
	return tp.revision, tp.hash[:], ok
}

// KnownWritten is how many appends s wrote without append_events (knownappend.go).
func (s *Store) KnownWritten() uint64 { return s.knownWritten.Load() }

// AtomicOneCalls is how many atomic calls s wrote as one statement (atomic_one.go).
func (s *Store) AtomicOneCalls() uint64 { return s.atomicOneCalls.Load() }

// AppendKnownBatchSQL is the statement that writes several known appends together (tests of
// its plan).
const AppendKnownBatchSQL = appendKnownBatchSQL

// HandedOff is how many appends s handed to its batchers (batch.go).
func (s *Store) HandedOff() uint64 { return s.handedOff.Load() }

// NewStreamsSQL and NewStreamEventsSQL append to several new streams and to one (tests of
// their plans).
const (
	NewStreamsSQL      = newStreamsSQL
	NewStreamEventsSQL = newStreamEventsSQL
)

// ReadStreamsSQL is the statement of ReadStreams (tests of its plan).
const ReadStreamsSQL = readStreamsSQL

// AcquireConn takes one of the store's own connections (tests of its settings and plans).
func (s *Store) AcquireConn(ctx context.Context) (*pgxpool.Conn, error) { return s.pool.Acquire(ctx) }

// KeyedStatements are the store's statements that find their rows by key, by name (tests of
// the plans a connection caches for them).
var KeyedStatements = map[string]string{
	"atomicOneSQL":          atomicOneSQL,
	"lockAtomicSQL":         lockAtomicSQL,
	"appendKnownSQL":        appendKnownSQL,
	"appendKnownOneSQL":     appendKnownOneSQL,
	"appendKnownBatchSQL":   appendKnownBatchSQL,
	"newStreamSQL":          newStreamSQL,
	"newStreamsSQL":         newStreamsSQL,
	"newStreamEventsSQL":    newStreamEventsSQL,
	"readAllSQL":            readAllSQL,
	"readStreamForwardSQL":  readStreamForwardSQL,
	"readStreamBackwardSQL": readStreamBackwardSQL,
	"restoreCheckSQL":       restoreCheckSQL,
}

// WakePace is a subscription's wake window as its reads set it.
type WakePace struct{ p *wakePace }

// NewWakePace returns the wake window of a subscription of a store with o.
func NewWakePace(o Options) WakePace { return WakePace{newWakePace(o.withDefaults())} }

// Read records a read that ended at now having found found positions of $all.
func (w WakePace) Read(found uint64, now time.Time) { w.p.read(found, now) }

// Window is the least time between two woken reads after the reads recorded.
func (w WakePace) Window() time.Duration { return w.p.window }
