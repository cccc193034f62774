package publish

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/odata-pos/pos/integration"
)

// Brokers (the URL schemes of a target).
const (
	BrokerNATS  = "nats"
	BrokerAMQP  = "amqp"
	BrokerKafka = "kafka"
)

// Defaults of a target's settings.
const (
	DefaultPrefix   = "pos"
	DefaultExchange = "pos.events"
	DefaultTopic    = "pos.events"
)

// Target is one broker to publish to and what to publish there, parsed from a URL of
// POS_PUBLISH_URL.
type Target struct {
	// Name identifies the target (its checkpoint and metrics): the name= parameter, else the
	// broker.
	Name string
	// Broker is BrokerNATS, BrokerAMQP or BrokerKafka.
	Broker string
	// URL is the connection URL without this package's parameters (for Kafka: the brokers).
	URL string
	// Types are the public event types published there; empty means all of them.
	Types []string
	// Prefix starts every subject or routing key (prefix=, default "pos").
	Prefix string
	// Stream (NATS) is the JetStream stream that must capture "<prefix>.>": created when
	// missing (stream=; empty: the stream is the operator's to create).
	Stream string
	// Exchange (RabbitMQ) is the durable topic exchange published to (exchange=, declared when
	// missing; default "pos.events").
	Exchange string
	// Topic (Kafka) is the topic published to (topic=, default "pos.events"); the stream is
	// the message key, so one stream's messages share a partition.
	Topic string
	// Window is how many publishes are in flight at once (window=, 1-1024; 0: Config.Window).
	// Each stream keeps its order at any window; window=1 also keeps $all order across streams.
	Window int
}

// window is t's window, or def when t has none.
func (t Target) window(def int) int {
	if t.Window > 0 {
		return t.Window
	}
	return def
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// ParseTarget parses one target URL. defaultTypes apply when the URL has no types= parameter
// (check them with CheckTypes).
// The parameters name, types (joined with + or repeated), prefix, stream, exchange, topic and window are this
// package's; every other part of the URL is the broker client's.
func ParseTarget(raw string, defaultTypes []string, defaultPrefix string) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Target{}, fmt.Errorf("%q is not a broker URL (nats://host:4222, amqp://user:password@host:5672/, kafka://host:9092)", redact(raw))
	}
	t := Target{Prefix: defaultPrefix, Exchange: DefaultExchange, Topic: DefaultTopic}
	switch u.Scheme {
	case "nats", "tls":
		t.Broker = BrokerNATS
	case "amqp", "amqps":
		t.Broker = BrokerAMQP
	case "kafka":
		t.Broker = BrokerKafka
	default:
		return Target{}, fmt.Errorf("%q: the scheme must be nats, tls, amqp, amqps or kafka", redact(raw))
	}
	t.Name = t.Broker
	q := u.Query()
	var problems []error
	take := func(key string, dst *string) {
		if v := q.Get(key); v != "" {
			*dst = v
		}
		q.Del(key)
	}
	take("name", &t.Name)
	take("prefix", &t.Prefix)
	take("stream", &t.Stream)
	take("exchange", &t.Exchange)
	take("topic", &t.Topic)
	if v := q.Get("window"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxWindow {
			problems = append(problems, fmt.Errorf("window %q must be a number from 1 to %d", v, maxWindow))
		}
		t.Window = n
		q.Del("window")
	}
	t.Types = defaultTypes
	if vs, ok := q["types"]; ok {
		t.Types = nil
		for _, v := range vs {
			// types=a+b reads as "a b" once decoded; a literal %2B still separates.
			t.Types = append(t.Types, strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '+' })...)
		}
		q.Del("types")
		if err := CheckTypes(t.Types); err != nil {
			problems = append(problems, err)
		}
	}
	if !namePattern.MatchString(t.Name) {
		problems = append(problems, fmt.Errorf("name %q must be 1-40 lowercase letters, digits, - or _", t.Name))
	}
	if t.Prefix == "" || strings.ContainsAny(t.Prefix, " *>#") {
		problems = append(problems, fmt.Errorf("prefix %q must be a non-empty subject without spaces or wildcards", t.Prefix))
	}
	if strings.ContainsAny(t.Stream, " .*>") {
		problems = append(problems, fmt.Errorf("stream %q: a JetStream stream name has no spaces, dots or wildcards", t.Stream))
	}
	u.RawQuery = q.Encode()
	t.URL = u.String()
	if t.Broker == BrokerKafka {
		t.URL = u.Host // the brokers, comma-separated hosts are not URLs: one per target URL
	}
	if err := errors.Join(problems...); err != nil {
		return Target{}, fmt.Errorf("%s: %w", redact(raw), err)
	}
	slices.Sort(t.Types)
	return t, nil
}

// CheckTypes reports the names among types that are not public event types.
func CheckTypes(types []string) error {
	var problems []error
	for _, typ := range types {
		if !integration.IsPublicType(typ) {
			problems = append(problems, fmt.Errorf("unknown event type %q (known: %s)", typ, strings.Join(integration.PublicTypes(), ", ")))
		}
	}
	return errors.Join(problems...)
}

// ParseTargets parses POS_PUBLISH_URL's targets (a comma-separated list) with the types and
// prefix of POS_PUBLISH_TYPES and POS_PUBLISH_PREFIX. Every problem is reported.
func ParseTargets(urls, types []string, prefix string) ([]Target, error) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	var (
		out      []Target
		problems []error
		names    = map[string]bool{}
	)
	if err := CheckTypes(types); err != nil {
		problems = append(problems, err)
	}
	for _, raw := range urls {
		t, err := ParseTarget(raw, types, prefix)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if names[t.Name] {
			problems = append(problems, fmt.Errorf("two targets are named %q: give each a name= parameter", t.Name))
		}
		names[t.Name] = true
		out = append(out, t)
	}
	return out, errors.Join(problems...)
}

// Redacted is the target's URL without its password, for logs.
func (t Target) Redacted() string { return redact(t.URL) }

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}
