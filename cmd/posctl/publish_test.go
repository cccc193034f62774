package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/internal/poll"
	pt "github.com/odata-pos/pos/publish/publishtest"
)

// TestPublishReplayFromAPosition: posctl publish replay --from publishes the shop's history
// from that position on to the brokers of POS_PUBLISH_URL, and names a missing target.
func TestPublishReplayFromAPosition(t *testing.T) {
	e := shop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := pt.Brokers[1] // RabbitMQ
	url, c := b.Setup(t, "")
	vars := map[string]string{
		"POS_DATABASE_URL": e.DB.Config().ConnString(), "POS_JWT_SECRET": "apitest-signing-key-0123456789abcdef",
		"POS_REDIS_URL": "", "POS_DATA_DIR": t.TempDir(),
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"publish", "replay", "--from", "1"}, lookup(vars), &out, &out); !errors.Is(err, errUsage) {
		t.Errorf("without POS_PUBLISH_URL: %v\n%s", err, out.String())
	}
	vars["POS_PUBLISH_URL"] = url
	all := pt.Publishable(t, e.DB)
	want := all[len(all)/2:]
	out.Reset()
	if err := run(ctx, []string{"publish", "replay", "--target", "nope", "--from", "1"}, lookup(vars), &out, &out); !errors.Is(err, errUsage) {
		t.Errorf("unknown target: %v\n%s", err, out.String())
	}
	out.Reset()
	from := fmt.Sprint(want[0].Position)
	if err := run(ctx, []string{"publish", "replay", "--from", from}, lookup(vars), &out, &out); err != nil {
		t.Fatalf("replay: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("rabbitmq: published %d messages from position %s", len(want), from)) {
		t.Errorf("replay said: %s", out.String())
	}
	poll.Eventually(t, 30*time.Second, func() bool { return c.Distinct() >= len(want) },
		func() string { return fmt.Sprintf("%d of %d messages", c.Distinct(), len(want)) })
	pt.CheckDelivery(t, want, c.Messages())
	if got := len(c.Messages()); got != len(want) {
		t.Errorf("%d messages, want %d", got, len(want))
	}
}
