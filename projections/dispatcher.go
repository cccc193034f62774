package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wmetrics "github.com/ThreeDotsLabs/watermill/components/metrics"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/feed"
)

// job is one batch for one generation of a projection: move the checkpoint of schema from
// From to To and apply Events (which may be empty when only the checkpoint moves).
type job struct {
	p      Projection
	schema string
	from   eventstore.Position
	to     eventstore.Position
	events []eventstore.RecordedEvent
	// park, when set, parks the one event of events with this cause instead of applying it.
	park error
	// label is the track's metric label: live or rebuild.
	label string

	err error // the handler's final error (after retries), read after Nack
}

type jobKey struct{}

// dispatcher runs the watermill router through which every batch is applied. Each projection
// has a handler fed by an in-process subscriber (feed); a worker hands over one message and
// waits for its Ack or Nack before the next, so batches of one projection apply in order.
type dispatcher struct {
	router *message.Router
	feed   *feed.Feed
	done   chan struct{}
	err    error
}

func startDispatcher(ctx context.Context, r *Runner) (*dispatcher, error) {
	logger := watermill.NewSlogLoggerWithLevelMapping(r.log, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 30 * time.Second}, logger)
	if err != nil {
		return nil, fmt.Errorf("projections: new router: %w", err)
	}
	// Outermost first: capture the final outcome, measure it, retry it, turn panics into errors.
	router.AddMiddleware(captureError)
	wmetrics.NewPrometheusMetricsBuilder(r.cfg.Registerer, "pos", "projection_router").AddPrometheusRouterMetrics(router)
	router.AddMiddleware(middleware.Retry{
		MaxRetries:      r.cfg.Retries,
		InitialInterval: r.cfg.RetryInterval,
		MaxInterval:     5 * time.Second,
		Multiplier:      2,
		ShouldRetry: func(p middleware.RetryParams) bool {
			return !errors.Is(p.Err, errFenced) && !errors.Is(p.Err, context.Canceled)
		},
		Logger: logger,
	}.Middleware, middleware.Recoverer)

	f := feed.New()
	for _, p := range r.cfg.Projections {
		f.Add(topic(p.Name()))
		router.AddConsumerHandler(p.Name(), topic(p.Name()), f, func(msg *message.Message) error {
			j, ok := msg.Context().Value(jobKey{}).(*job)
			if !ok {
				return errors.New("projections: message without a batch")
			}
			return r.applyBatch(msg.Context(), j)
		})
	}
	d := &dispatcher{router: router, feed: f, done: make(chan struct{})}
	// The router gets its own context: it is closed by stop, after the workers have stopped,
	// so no worker ever waits on a message the router will not handle.
	go func() {
		defer close(d.done)
		d.err = router.Run(context.WithoutCancel(ctx))
	}()
	select {
	case <-router.Running():
		return d, nil
	case <-d.done:
		return nil, fmt.Errorf("projections: router: %w", d.err)
	}
}

// stop closes the router and waits until it and its handlers have stopped.
func (d *dispatcher) stop() error {
	err := d.router.Close()
	<-d.done
	return errors.Join(err, d.err)
}

// apply hands j to the router and waits for the outcome. It always waits for the handler to
// finish (the handler's context is ctx, so cancellation ends it promptly): when apply returns,
// no transaction of j is in flight.
func (d *dispatcher) apply(ctx context.Context, j *job) error {
	msg := message.NewMessage(watermill.NewUUID(), nil)
	msg.SetContext(context.WithValue(ctx, jobKey{}, j))
	if err := d.feed.Send(ctx, topic(j.p.Name()), msg); err != nil {
		return err
	}
	select {
	case <-msg.Acked():
		return nil
	case <-msg.Nacked():
		if j.err == nil {
			return errors.New("batch not acknowledged")
		}
		return j.err
	case <-d.done:
		return errors.New("projections: router stopped")
	}
}

func topic(name string) string { return "projection." + name }

// captureError records the handler's final error in the job for the waiting worker.
func captureError(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if j, ok := msg.Context().Value(jobKey{}).(*job); ok {
			j.err = err
		}
		return out, err
	}
}
