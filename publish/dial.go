package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill-kafka/v3/pkg/kafka"
	wmnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/odata-pos/pos/integration"
)

// Message metadata keys (NATS headers, AMQP headers, Kafka headers) beside the envelope, so
// that consumers can route without parsing the body.
const (
	HeaderType     = "Pos-Type"
	HeaderStream   = "Pos-Stream"
	HeaderPosition = "Pos-Position"
)

// duplicateWindow is the JetStream deduplication window of a stream the publisher creates:
// a message whose Nats-Msg-Id (the event ID) was stored within it is stored once.
const duplicateWindow = 2 * time.Minute

// sink is a dialled target: a watermill publisher and how a message's topic is named there.
type sink struct {
	publisher message.Publisher
	// topic is the watermill topic of m: the subject (NATS), the routing key (RabbitMQ), or
	// the Kafka topic.
	topic func(m integration.Message) string
}

// dial connects to t's broker. After a lost connection the NATS and Kafka clients reconnect
// on their own and the RabbitMQ publisher dials again at its next publish; a publish that
// fails meanwhile returns an error and is retried from the checkpoint.
func dial(ctx context.Context, t Target, log *slog.Logger) (*sink, error) {
	wlog := watermill.NewSlogLogger(log)
	switch t.Broker {
	case BrokerNATS:
		return dialNATS(ctx, t, wlog)
	case BrokerAMQP:
		return dialAMQP(t)
	case BrokerKafka:
		return dialKafka(t, wlog)
	}
	return nil, fmt.Errorf("unknown broker %q", t.Broker)
}

func dialNATS(ctx context.Context, t Target, log watermill.LoggerAdapter) (*sink, error) {
	conn, err := nats.Connect(t.URL, nats.Name("posd publisher "+t.Name), nats.MaxReconnects(-1),
		nats.ReconnectWait(500*time.Millisecond), nats.RetryOnFailedConnect(false))
	if err != nil {
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	if t.Stream != "" {
		if err := ensureStream(ctx, conn, t); err != nil {
			conn.Close()
			return nil, err
		}
	}
	pub, err := wmnats.NewPublisherWithNatsConn(conn, wmnats.PublisherPublishConfig{
		Marshaler:         &wmnats.NATSMarshaler{},
		SubjectCalculator: wmnats.DefaultSubjectCalculator,
		// TrackMsgId sets Nats-Msg-Id to the message UUID (the event ID): JetStream stores a
		// message published twice within the duplicate window once.
		JetStream: wmnats.JetStreamConfig{TrackMsgId: true},
	}, log)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("nats publisher: %w", err)
	}
	return &sink{publisher: pub, topic: func(m integration.Message) string { return m.Subject(t.Prefix) }}, nil
}

// ensureStream creates the JetStream stream that captures the target's subjects when it does
// not exist. An existing stream is left as the operator configured it.
func ensureStream(ctx context.Context, conn *nats.Conn, t Target) error {
	js, err := conn.JetStream(nats.Context(ctx))
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	_, err = js.StreamInfo(t.Stream, nats.Context(ctx))
	if errors.Is(err, nats.ErrStreamNotFound) {
		_, err = js.AddStream(&nats.StreamConfig{Name: t.Stream, Subjects: []string{t.Prefix + ".>"},
			Storage: nats.FileStorage, Duplicates: duplicateWindow}, nats.Context(ctx))
	}
	if err != nil {
		return fmt.Errorf("jetstream stream %s: %w", t.Stream, err)
	}
	return nil
}

func dialAMQP(t Target) (*sink, error) {
	marshal := wamqp.DefaultMarshaler{PostprocessPublishing: func(p amqp.Publishing) amqp.Publishing {
		// The AMQP properties consumers and tools look at first.
		p.MessageId, _ = p.Headers[wamqp.DefaultMessageUUIDHeaderKey].(string)
		p.Type, _ = p.Headers[HeaderType].(string)
		p.ContentType = "application/json"
		p.AppId = "posd"
		return p
	}}
	// watermill-amqp's messages through a publisher of our own (amqpPublisher says why).
	pub, err := newAMQPPublisher(t.URL, "posd publisher "+t.Name, t.Exchange, marshal)
	if err != nil {
		return nil, err
	}
	return &sink{publisher: pub, topic: func(m integration.Message) string { return m.Subject(t.Prefix) }}, nil
}

func dialKafka(t Target, log watermill.LoggerAdapter) (*sink, error) {
	sc := kafka.DefaultSaramaSyncPublisherConfig()
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Idempotent = true
	sc.Net.MaxOpenRequests = 1 // idempotent producers keep order only with one request in flight
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{
		Brokers: strings.Split(t.URL, ","),
		// The stream is the key: one stream's messages land in one partition, in order.
		Marshaler: kafka.NewWithPartitioningMarshaler(func(_ string, msg *message.Message) (string, error) {
			return msg.Metadata.Get(HeaderStream), nil
		}),
		OverwriteSaramaConfig: sc,
	}, log)
	if err != nil {
		return nil, fmt.Errorf("connect to kafka: %w", err)
	}
	return &sink{publisher: pub, topic: func(integration.Message) string { return t.Topic }}, nil
}
