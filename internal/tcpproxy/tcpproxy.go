// Package tcpproxy is a TCP proxy for tests that take a server away from its clients: a
// database, a message broker. Cut drops every proxied connection, as a server restart would;
// Close also stops accepting, as a crashed or unreachable server would.
package tcpproxy

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards the connections of a listener to a target address.
type Proxy struct {
	// Addr is the address clients connect to.
	Addr string

	ln       net.Listener
	mu       sync.Mutex
	conns    []net.Conn
	closed   bool
	accepted int
}

// Start forwards every connection ln accepts to target, until Close or the end of t.
func Start(t testing.TB, ln net.Listener, target string) *Proxy {
	t.Helper()
	p := &Proxy{Addr: ln.Addr().String(), ln: ln}
	ctx := t.Context()
	var dialer net.Dialer
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := dialer.DialContext(ctx, "tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			if !p.track(in, out) {
				continue
			}
			wg.Go(func() { _, _ = io.Copy(out, in); _ = out.Close() })
			wg.Go(func() { _, _ = io.Copy(in, out); _ = in.Close() })
		}
	})
	t.Cleanup(func() { p.Close(); wg.Wait() })
	return p
}

// track keeps the two ends of a proxied connection, or closes them when the proxy is closed.
func (p *Proxy) track(in, out net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = in.Close()
		_ = out.Close()
		return false
	}
	p.conns = append(p.conns, in, out)
	p.accepted++
	return true
}

// Accepted is how many connections the proxy forwarded.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Cut closes every proxied connection; new connections are still accepted.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// Close closes every proxied connection and the listener, so later connections are refused.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	_ = p.ln.Close()
	p.Cut()
}
