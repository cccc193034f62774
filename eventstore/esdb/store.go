package esdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/odata-pos/pos/eventstore"
)

// Default values of Options.
const (
	DefaultReadBatch           = 256
	DefaultMaxReconnectBackoff = 5 * time.Second
)

// errClosed is returned by a Store used after Close.
var errClosed = errors.New("esdb store is closed")

// Options tunes a Store. The zero value is ready to use.
type Options struct {
	// Logger receives the client library's log lines (its errors as warnings, since this
	// package reports the errors that matter). Nil discards them.
	Logger *slog.Logger
	// ReadBatch is how many events one round trip of an $all read asks for (default
	// DefaultReadBatch); $all reads filter on the client, so they may need several.
	ReadBatch int
	// MaxReconnectBackoff caps the wait between a subscription's reconnect attempts
	// (default DefaultMaxReconnectBackoff).
	MaxReconnectBackoff time.Duration
}

// Store is an eventstore.Store on EventStoreDB. It is safe for concurrent use.
type Store struct {
	config esdb.Configuration
	opts   Options

	mu     sync.Mutex
	client *esdb.Client
	closed bool
}

var _ eventstore.Store = (*Store)(nil)

// Open connects to the EventStoreDB server named by connString (for example
// "esdb://127.0.0.1:2113?tls=false") and checks that it answers a read of $all. Close the
// returned Store when done.
func Open(ctx context.Context, connString string, opts Options) (*Store, error) {
	config, err := esdb.ParseConnectionString(connString)
	if err != nil {
		return nil, fmt.Errorf("esdb: parse connection string: %w", err)
	}
	config.Logger = logFunc(opts.Logger)
	if opts.ReadBatch <= 0 {
		opts.ReadBatch = DefaultReadBatch
	}
	if opts.MaxReconnectBackoff <= 0 {
		opts.MaxReconnectBackoff = DefaultMaxReconnectBackoff
	}
	s := &Store{config: *config, opts: opts}
	if s.client, err = s.newClient(); err != nil {
		return nil, err
	}
	if _, err := s.HeadPosition(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("esdb: connect: %w", err)
	}
	return s, nil
}

func (s *Store) newClient() (*esdb.Client, error) {
	config := s.config // each client gets its own copy
	c, err := esdb.NewClient(&config)
	if err != nil {
		return nil, fmt.Errorf("esdb: new client: %w", err)
	}
	return c, nil
}

// conn returns the current client.
func (s *Store) conn() (*esdb.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	return s.client, nil
}

// renew replaces c when the client library has given it up. The library closes a client for
// good when its node discovery fails (the server was unreachable for a while); a new client
// starts discovery afresh. The old client is left alone rather than closed: its connection
// goroutine has already stopped, and closing it could panic a caller still sending to it.
func (s *Store) renew(c *esdb.Client, err error) {
	var e *esdb.Error
	if !errors.As(err, &e) || e.Code() != esdb.ErrorCodeConnectionClosed {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.client != c {
		return
	}
	if fresh, err := s.newClient(); err == nil {
		s.client = fresh
	}
}

// Close closes the client. Close subscriptions first.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.client.Close()
}

// logFunc adapts l to the client library's logging function.
func logFunc(l *slog.Logger) esdb.LoggingFunc {
	if l == nil {
		return esdb.NoopLogging()
	}
	return func(level esdb.LogLevel, format string, args ...any) {
		lvl := slog.LevelDebug
		switch level {
		case esdb.LogError, esdb.LogWarn:
			lvl = slog.LevelWarn
		}
		l.Log(context.Background(), lvl, fmt.Sprintf(format, args...), "component", "esdb-client")
	}
}
