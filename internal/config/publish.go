package config

import (
	"fmt"
	"log/slog"

	"github.com/odata-pos/pos/publish"
)

// Publish is the configuration of the integration event publisher (POS_PUBLISH_*).
type Publish struct {
	// URLs are the broker targets (POS_PUBLISH_URL, comma-separated): nats://…, amqp://…,
	// kafka://…, each with optional name=, types=, prefix=, stream=, exchange=, topic=.
	URLs []string
	// Types are the public event types published to targets whose URL has no types=
	// (POS_PUBLISH_TYPES, comma-separated; empty: every public type).
	Types []string
	// Prefix starts every subject and routing key (POS_PUBLISH_PREFIX, default "pos").
	Prefix string
}

// Enabled reports whether any target is configured.
func (p Publish) Enabled() bool { return len(p.URLs) > 0 }

// Targets parses the targets; the error lists every problem.
func (p Publish) Targets() ([]publish.Target, error) {
	return publish.ParseTargets(p.URLs, p.Types, p.Prefix)
}

func publishFromEnv(lookup LookupFunc, p *Publish) {
	if v, ok := lookup("POS_PUBLISH_URL"); ok {
		p.URLs = splitList(v)
	}
	if v, ok := lookup("POS_PUBLISH_TYPES"); ok {
		p.Types = splitList(v)
	}
	if v, ok := lookup("POS_PUBLISH_PREFIX"); ok {
		p.Prefix = v
	}
}

func (p Publish) validate(role string) []error {
	var problems []error
	if err := publish.CheckTypes(p.Types); err != nil {
		problems = append(problems, fmt.Errorf("POS_PUBLISH_TYPES: %w", err))
	}
	if _, err := publish.ParseTargets(p.URLs, nil, p.Prefix); err != nil {
		problems = append(problems, fmt.Errorf("POS_PUBLISH_URL: %w", err))
	}
	if role == RolePublisher && !p.Enabled() {
		problems = append(problems, fmt.Errorf("--role publisher: POS_PUBLISH_URL names no broker to publish to"))
	}
	return problems
}

// logValue lists the targets without their passwords.
func (p Publish) logValue() slog.Value {
	ts, _ := p.Targets()
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name + "=" + t.Redacted()
	}
	return slog.GroupValue(slog.Any("targets", names), slog.Any("types", p.Types), slog.String("prefix", p.Prefix))
}
