package publish_test

import (
	"strings"
	"testing"

	"github.com/odata-pos/pos/publish"
)

func TestParseTargets(t *testing.T) {
	ts, err := publish.ParseTargets([]string{
		"nats://127.0.0.1:4222?stream=POS_EVENTS&types=sale.completed.v1+stock.moved.v1",
		"amqp://guest:secret@127.0.0.1:5672/?exchange=chain.events&prefix=shop&heartbeat=5",
		"kafka://k1:9092?name=warehouse&topic=pos&types=return.recorded.v1&window=1",
	}, []string{"sale.completed.v1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	n, a, k := ts[0], ts[1], ts[2]
	if n.Name != "nats" || n.Broker != publish.BrokerNATS || n.Stream != "POS_EVENTS" || n.Prefix != "pos" ||
		strings.Join(n.Types, ",") != "sale.completed.v1,stock.moved.v1" || n.URL != "nats://127.0.0.1:4222" {
		t.Errorf("nats: %+v", n)
	}
	if a.Name != "amqp" || a.Exchange != "chain.events" || a.Prefix != "shop" || strings.Join(a.Types, ",") != "sale.completed.v1" ||
		a.URL != "amqp://guest:secret@127.0.0.1:5672/?heartbeat=5" || strings.Contains(a.Redacted(), "secret") {
		t.Errorf("amqp: %+v (%s)", a, a.Redacted())
	}
	if n.Window != 0 || k.Name != "warehouse" || k.Broker != publish.BrokerKafka || k.Topic != "pos" || k.URL != "k1:9092" || k.Window != 1 {
		t.Errorf("kafka: %+v", k)
	}
}

func TestParseTargetsReportsEveryProblem(t *testing.T) {
	_, err := publish.ParseTargets([]string{
		"http://127.0.0.1:4222",
		"nats://127.0.0.1:4222?types=sale.finished.v1&stream=a.b",
		"amqp://127.0.0.1:5672/?name=Bad%20Name&window=0",
		"nats://h:1", "nats://h:2",
		"not a url",
	}, nil, "")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"scheme must be", `unknown event type "sale.finished.v1"`, "stream \"a.b\"",
		`name "Bad Name"`, `window "0" must be a number from 1 to 1024`, `two targets are named "nats"`, "is not a broker URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
}
