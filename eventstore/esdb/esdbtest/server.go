package esdbtest

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
)

// ServerVersion is the EventStoreDB version the emulator reports to clients.
const ServerVersion = "24.10.0"

// Options tunes the emulator for a test.
type Options struct {
	// AppendDelay holds every append this long after its events arrived and before they are
	// written, so that tests can overlap appends with reads and subscriptions.
	AppendDelay time.Duration
	// SystemEventEvery, when positive, makes the emulator write a system event
	// ("$statsCollection" in "$stats-127.0.0.1:2113", as the server does periodically) after
	// every that many appends, so that system events sit between user events in $all.
	SystemEventEvery int
	// NoPositionOnRetry answers an idempotent retry without a position ("no_position"), as
	// some server versions do, instead of with the original append's position.
	NoPositionOnRetry bool
}

// Server is a running emulator. TEST DOUBLE ONLY: see the package documentation.
type Server struct {
	opts Options
	log  *log
	grpc *grpc.Server
	lis  net.Listener
	done chan struct{} // closed when Serve returns

	mu      sync.Mutex
	drop    chan struct{} // closed by DropConnections, then replaced
	appends int
	closed  bool
}

// New starts an emulator with default options for the test t and stops it when t ends.
func New(t testing.TB) *Server {
	t.Helper()
	return NewWithOptions(t, Options{})
}

// NewWithOptions starts an emulator with opts for the test t and stops it when t ends.
func NewWithOptions(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("start EventStoreDB emulator: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts an emulator listening on a free TCP port of 127.0.0.1. The caller must Close it.
func Start(opts Options) (*Server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{
		opts: opts,
		log:  newLog(),
		grpc: grpc.NewServer(),
		lis:  lis,
		done: make(chan struct{}),
		drop: make(chan struct{}),
	}
	// A fresh EventStoreDB node writes system events of its own before any client does.
	s.log.systemEvent("$settings", "$settings")
	s.log.systemEvent("$users", "$User")
	streams.RegisterStreamsServer(s.grpc, &streamsService{srv: s})
	serverfeatures.RegisterServerFeaturesServer(s.grpc, featuresService{})
	go func() {
		defer close(s.done)
		_ = s.grpc.Serve(lis) // returns when Close stops the server
	}()
	return s, nil
}

// URL returns the connection string of the emulator, for esdb.ParseConnectionString.
func (s *Server) URL() string {
	return fmt.Sprintf("esdb://%s?tls=false", s.lis.Addr())
}

// Addr returns the host:port the emulator listens on.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Close stops the emulator: every call in progress fails and the listener is closed. It waits
// until the server's goroutines have stopped. Close is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if closed {
		return
	}
	s.grpc.Stop()
	<-s.done
}

// DropConnections aborts every streaming call in progress (reads and subscriptions) with
// codes.Unavailable, as a lost connection or a node restart would. Calls started afterwards
// work normally.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.drop)
	s.drop = make(chan struct{})
}

// WriteSystemEvent writes a system event (type and stream should start with "$") as the
// server itself does, for tests of system-event filtering.
func (s *Server) WriteSystemEvent(stream, eventType string) {
	s.log.systemEvent(stream, eventType)
}

// dropped returns the channel the next DropConnections closes.
func (s *Server) dropped() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drop
}

// appended counts an append and writes a system event when Options.SystemEventEvery says so.
func (s *Server) appended() {
	if s.opts.SystemEventEvery <= 0 {
		return
	}
	s.mu.Lock()
	s.appends++
	due := s.appends%s.opts.SystemEventEvery == 0
	s.mu.Unlock()
	if due {
		s.log.systemEvent("$stats-127.0.0.1:2113", "$statsCollection")
	}
}

// featuresService answers the client's GetSupportedMethods call on connect.
type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

// GetSupportedMethods lists the methods the emulator implements. BatchAppend is deliberately
// absent: the client then uses Append, the only append the emulator implements.
func (featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	const svc = "event_store.client.streams.streams"
	methods := []*serverfeatures.SupportedMethod{}
	for _, m := range []string{"read", "append", "delete", "tombstone"} {
		methods = append(methods, &serverfeatures.SupportedMethod{ServiceName: svc, MethodName: m})
	}
	return &serverfeatures.SupportedMethods{Methods: methods, EventStoreServerVersion: ServerVersion}, nil
}
