package pgtest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy starts a TCP proxy in front of the server of the database URL raw and returns the URL
// through the proxy and cut, which takes the database away as a crashed or unreachable server
// would: it closes every proxied connection and the listener, so later connections are
// refused. The proxy is stopped by t.Cleanup.
func Proxy(t testing.TB, raw string) (proxied string, cut func()) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", redact(raw), err)
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: proxy listen: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		if conns == nil {
			_ = c.Close()
			return false
		}
		conns = append(conns, c)
		return true
	}
	conns = []net.Conn{}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			if !track(in) || !track(out) {
				_ = in.Close()
				_ = out.Close()
				continue
			}
			wg.Go(func() { _, _ = io.Copy(out, in); _ = out.Close() })
			wg.Go(func() { _, _ = io.Copy(in, out); _ = in.Close() })
		}
	})
	cut = func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		conns = nil
		mu.Unlock()
	}
	t.Cleanup(func() { cut(); wg.Wait() })
	u.Host = ln.Addr().String()
	return u.String(), cut
}
