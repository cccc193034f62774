package publish

import (
	"errors"
	"fmt"
	"sync"
	"time"

	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"
)

// amqpCloseTimeout bounds closing a connection the publisher gives up (a broken one may never
// answer).
const amqpCloseTimeout = 5 * time.Second

// amqpPublisher is a watermill publisher to one RabbitMQ topic exchange, the topic being the
// routing key. It keeps one connection with one channel in confirm mode, shared by concurrent
// Publish calls, and pipelines: a call sends all its messages, then waits for their publisher
// confirms, and returns nil only once the broker acknowledged every one of them. A negative
// confirm, or a connection or channel lost before the confirm, fails the call; the next call
// then dials afresh. The broker may have taken some messages of a failed call and not others,
// in any order between them (a full queue that makes room between two messages): callers
// that need an order must not put two messages that depend on each other in one call.
//
// It replaces watermill-amqp's Publisher (v3.0.2), which opens a channel per call, puts it in
// confirm mode and waits for each message's confirm before sending the next: four round trips
// per message. Its channel pool would save three of them but is unsafe: a pooled channel broken
// by a lost connection is not always reopened (a failed reopen drops it from the pool, and
// Publish then waits for a channel forever). The messages are the same, marshalled by marshal
// (watermill-amqp's DefaultMarshaler).
type amqpPublisher struct {
	url      string
	name     string // the connection name RabbitMQ shows
	exchange string
	marshal  wamqp.Marshaler

	mu     sync.Mutex
	sess   *amqpSession // nil until the first call, and after Close
	closed bool
}

// amqpSession is a connection and its confirming channel, with the exchange declared.
type amqpSession struct {
	conn *amqp.Connection
	ch   *amqp.Channel
}

// newAMQPPublisher dials url (so that a wrong URL or password shows at once) and declares
// exchange as a durable topic exchange.
func newAMQPPublisher(url, name, exchange string, marshal wamqp.Marshaler) (*amqpPublisher, error) {
	p := &amqpPublisher{url: url, name: name, exchange: exchange, marshal: marshal}
	if _, err := p.session(); err != nil {
		return nil, err
	}
	return p, nil
}

// Publish sends msgs to the exchange with routing key topic and waits for their confirms.
// A message's context (watermill's msg.Context) bounds the wait for its confirm.
func (p *amqpPublisher) Publish(topic string, msgs ...*message.Message) error {
	s, err := p.session()
	if err != nil {
		return err
	}
	confirms := make([]*amqp.DeferredConfirmation, 0, len(msgs))
	for _, m := range msgs {
		pub, err := p.marshal.Marshal(m)
		if err != nil {
			return fmt.Errorf("marshal message %s: %w", m.UUID, err)
		}
		dc, err := s.ch.PublishWithDeferredConfirmWithContext(m.Context(), p.exchange, topic, false, false, pub)
		if err != nil {
			if m.Context().Err() == nil {
				p.drop(s) // a write that failed: the next call starts on a new connection
			}
			return fmt.Errorf("publish message %s to rabbitmq: %w", m.UUID, err)
		}
		confirms = append(confirms, dc)
	}
	for i, dc := range confirms {
		ack, err := dc.WaitContext(msgs[i].Context())
		switch {
		case err != nil:
			return fmt.Errorf("confirm of message %s: %w", msgs[i].UUID, err)
		case ack:
		case s.ch.IsClosed():
			// A closed channel nacks every confirm still awaited.
			return fmt.Errorf("message %s not confirmed: the connection to rabbitmq was lost", msgs[i].UUID)
		default:
			return fmt.Errorf("rabbitmq refused message %s (negative publisher confirm)", msgs[i].UUID)
		}
	}
	return nil
}

// session returns the open session, or dials a new one when there is none or it broke.
// Concurrent calls wait for one dial.
func (p *amqpPublisher) session() (*amqpSession, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("rabbitmq publisher closed")
	}
	if p.sess != nil && !p.sess.ch.IsClosed() {
		return p.sess, nil
	}
	if p.sess != nil {
		_ = p.sess.conn.CloseDeadline(time.Now().Add(amqpCloseTimeout))
		p.sess = nil
	}
	s, err := dialAMQPSession(p.url, p.name, p.exchange)
	if err != nil {
		return nil, err
	}
	p.sess = s
	return s, nil
}

// drop closes s unless a later session replaced it already.
func (p *amqpPublisher) drop(s *amqpSession) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sess == s {
		_ = s.conn.CloseDeadline(time.Now().Add(amqpCloseTimeout))
		p.sess = nil
	}
}

// dialAMQPSession connects (amqp091's defaults: 30 s to connect, 10 s heartbeats, which also
// end a connection that went silent), declares the exchange and opens a confirming channel.
func dialAMQPSession(url, name, exchange string) (*amqpSession, error) {
	props := amqp.NewConnectionProperties()
	props.SetClientConnectionName(name)
	conn, err := amqp.DialConfig(url, amqp.Config{Properties: props})
	if err != nil {
		return nil, fmt.Errorf("connect to rabbitmq: %w", err)
	}
	ch, err := conn.Channel()
	if err == nil {
		err = ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil)
	}
	if err == nil {
		err = ch.Confirm(false)
	}
	if err != nil {
		_ = conn.CloseDeadline(time.Now().Add(amqpCloseTimeout))
		return nil, fmt.Errorf("rabbitmq exchange %s: %w", exchange, err)
	}
	return &amqpSession{conn: conn, ch: ch}, nil
}

// Close closes the connection; calls in flight fail.
func (p *amqpPublisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.sess == nil {
		return nil
	}
	err := p.sess.conn.CloseDeadline(time.Now().Add(amqpCloseTimeout))
	p.sess = nil
	if errors.Is(err, amqp.ErrClosed) {
		return nil
	}
	return err
}
