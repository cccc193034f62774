package pgtest

import (
	"net"
	"net/url"
	"testing"

	"github.com/odata-pos/pos/internal/tcpproxy"
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: proxy listen: %v", err)
	}
	p := tcpproxy.Start(t, ln, u.Host)
	u.Host = p.Addr
	return u.String(), p.Close
}
