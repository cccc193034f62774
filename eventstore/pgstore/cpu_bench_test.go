package pgstore_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// cpuMeter samples the CPU time spent by the PostgreSQL backends connected to one database
// and by this process, so that a benchmark can report CPU per operation: a figure that load on
// a shared machine changes far less than throughput. It needs the server on this host (it
// reads /proc/<pid>/stat of the backends); when that is not readable the server figure is
// left out.
type cpuMeter struct {
	conn *pgx.Conn
}

// cpuSample is one reading of a cpuMeter.
type cpuSample struct {
	backends map[int32]time.Duration // by backend pid; nil when /proc is not readable
	client   time.Duration
}

// newCPUMeter connects to the database at url (closed with b).
func newCPUMeter(b *testing.B, url string) *cpuMeter {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatalf("cpu meter: %v", err)
	}
	b.Cleanup(func() { _ = conn.Close(context.Background()) })
	return &cpuMeter{conn: conn}
}

// sample reads the CPU time of every other backend of the database and of this process.
func (m *cpuMeter) sample(b *testing.B) cpuSample {
	b.Helper()
	var s cpuSample
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		s.client = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	rows, err := m.conn.Query(context.Background(),
		`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		b.Fatalf("cpu meter: %v", err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatalf("cpu meter: %v", err)
	}
	s.backends = make(map[int32]time.Duration, len(pids))
	for _, pid := range pids {
		t, ok := processCPU(pid)
		if !ok {
			s.backends = nil
			break
		}
		s.backends[pid] = t
	}
	return s
}

// since returns the server (backends) and client CPU spent from s0 to s. A backend that
// started in between counts from zero.
func (s cpuSample) since(s0 cpuSample) (server, client time.Duration, serverKnown bool) {
	client = s.client - s0.client
	if s.backends == nil || s0.backends == nil {
		return 0, client, false
	}
	for pid, t := range s.backends {
		server += t - s0.backends[pid]
	}
	return server, client, true
}

// processCPU returns the user plus system CPU time of process pid.
func processCPU(pid int32) (time.Duration, bool) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(int(pid)) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces; fields after it are space-separated.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * clockTick, true
}
