package publish_test

import (
	"context"
	"os"
	"testing"

	"github.com/odata-pos/pos/publish"
	pt "github.com/odata-pos/pos/publish/publishtest"
)

// TestKafkaAcknowledgesEveryMessage publishes history to a Kafka broker, when one is given
// (POS_TEST_KAFKA_URL=kafka://host:9092): Replay returns only once every message was
// acknowledged by all in-sync replicas. There is no Kafka on the development and CI machines.
func TestKafkaAcknowledgesEveryMessage(t *testing.T) {
	url := os.Getenv("POS_TEST_KAFKA_URL")
	if url == "" {
		t.Skip("no Kafka broker on this machine: set POS_TEST_KAFKA_URL=kafka://host:9092 to run this test")
	}
	db := newDatabase(t)
	w := newWriter(db.store, 3)
	w.appendN(t, 20)
	targets, err := publish.ParseTargets([]string{url + "?topic=pos-test-" + pt.Suffix()}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	n, _, err := publish.Replay(context.Background(), db.store, targets[0], 0, testLog(t))
	if err != nil || n != 20 {
		t.Fatalf("published %d of 20: %v", n, err)
	}
}
