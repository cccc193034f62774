package publish_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/publish"
	pt "github.com/odata-pos/pos/publish/publishtest"
)

// Environment of the publisher child process.
const (
	childEnv = "POS_PUBLISH_TEST_CHILD_DB"
	urlsEnv  = "POS_PUBLISH_TEST_CHILD_URLS"
)

// TestPublisherChildProcess is the publisher process that TestKilledPublisherLosesNothing
// starts and kills; run on its own it skips.
func TestPublisherChildProcess(t *testing.T) {
	dbURL := os.Getenv(childEnv)
	if dbURL == "" {
		t.Skip("the child process of TestKilledPublisherLosesNothing: runs only when that test starts it")
	}
	ctx := context.Background()
	store, err := pgstore.Open(ctx, dbURL, pgstore.Options{SkipMigrations: true, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dbURL+"&pool_max_conns=2")
	if err != nil {
		t.Fatal(err)
	}
	targets, err := publish.ParseTargets(strings.Fields(os.Getenv(urlsEnv)), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	w, err := publish.New(publish.Config{Pool: pool, Store: store, Targets: targets, Logger: testLog(t),
		PollInterval: pollInterval, BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Run(ctx) // until killed
}

// startChild starts a publisher process publishing db to urls.
func startChild(t *testing.T, db *database, urls []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPublisherChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+db.url, urlsEnv+"="+strings.Join(urls, " "))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// kill9 kills the process with SIGKILL: no deferred code, no graceful shutdown.
func kill9(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// TestKilledPublisherLosesNothing kills a publisher process (kill -9) twice while it publishes
// to a real NATS JetStream and a real RabbitMQ, with events appended all along, and counts:
// every event arrives at least once, nothing else arrives, duplicates are the same message
// with the same ID, and each stream's events arrive in order.
func TestKilledPublisherLosesNothing(t *testing.T) {
	db := newDatabase(t)
	if err := publish.Migrate(context.Background(), db.pool); err != nil {
		t.Fatal(err)
	}
	var urls []string
	var consumers []*pt.Consumer
	for _, b := range pt.Brokers {
		url, c := b.Setup(t, "")
		urls = append(urls, url)
		consumers = append(consumers, c)
	}
	w := newWriter(db.store, 5)
	w.appendN(t, 150)
	atLeast := func(n int) {
		eventually(t, func() string { return fmt.Sprintf("%d messages at every broker", n) }, func() bool {
			for _, c := range consumers {
				if c.Distinct() < n {
					return false
				}
			}
			return true
		})
	}

	child := startChild(t, db, urls)
	atLeast(40)
	kill9(t, child) // mid-stream: 150 events wait
	w.appendN(t, 100)
	child = startChild(t, db, urls)
	appended := make(chan struct{})
	go func() { // appended while the publisher catches up and is killed again
		defer close(appended)
		w.appendN(t, 100)
	}()
	atLeast(200)
	kill9(t, child)
	startChild(t, db, urls)
	<-appended
	want := w.out.all()
	atLeast(len(want))
	for i, c := range consumers {
		got := c.Messages()
		pt.CheckDelivery(t, want, got)
		t.Logf("%s: %d events, %d messages received (%d duplicates)", pt.Brokers[i].Name, len(want), len(got), len(got)-len(want))
	}
}
