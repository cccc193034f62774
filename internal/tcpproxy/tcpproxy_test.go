package tcpproxy_test

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"

	"github.com/odata-pos/pos/internal/tcpproxy"
)

// echo starts a server that echoes every line back, and returns its address.
func echo(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); _ = c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return c, err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil && line != "ping\n" {
		t.Fatalf("echoed %q", line)
	}
	return c, err
}

func TestCutDropsConnectionsAndCloseRefusesNewOnes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := tcpproxy.Start(t, ln, echo(t))
	c, err := roundTrip(t, p.Addr)
	if err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	p.Cut()
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("a connection survived Cut")
	}
	if _, err := roundTrip(t, p.Addr); err != nil {
		t.Fatalf("a new connection after Cut: %v", err)
	}
	if p.Accepted() != 2 {
		t.Fatalf("accepted %d connections, want 2", p.Accepted())
	}
	p.Close()
	if c, err := roundTrip(t, p.Addr); err == nil {
		_ = c.Close()
		t.Fatal("a connection got through after Close")
	}
}
