package publish

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/integration"
)

// DefaultWindow is the default of Config.Window and of a target's window= parameter: how many
// publishes a target has in flight at once.
const DefaultWindow = 128

// maxWindow bounds a target's window= parameter.
const maxWindow = 1024

// pace is a target's current window. After a failure it publishes one message at a time, in
// $all order, and it doubles after every batch confirmed in full, up to the target's window:
// a broker that refuses part of a window (a full queue) then takes the messages in order, each
// one moving the checkpoint, instead of refusing a window's worth again at every retry.
type pace struct{ cur, max int }

func (p *pace) failed()    { p.cur = 1 }
func (p *pace) confirmed() { p.cur = min(p.max, 2*p.cur) }

// item is one message of a batch: the index of its event in the batch, its stream, and where
// it goes.
type item struct {
	index  int
	stream string
	topic  string
	msg    *message.Message
}

// result is what publishing a batch achieved.
type result struct {
	// done is how many leading events of the batch need no publishing again: each was
	// confirmed by the broker or is not published at all. The checkpoint may move to the
	// position of the last of them.
	done int
	// confirmed counts the messages the broker confirmed, also those after done (they will be
	// published again: duplicates).
	confirmed int
}

// publishBatch maps the events and publishes them through a window (see publishWindow).
// A mapping error stops the batch at that event: an event that cannot be rendered is a defect
// to fix, never one to skip; the events before it are still published.
func publishBatch(ctx context.Context, t Target, s *sink, batch []eventstore.RecordedEvent, window int) (result, error) {
	items := make([]item, 0, len(batch))
	size, mapErr := len(batch), error(nil)
	for i := range batch {
		m, ok, err := integration.Map(&batch[i])
		if err != nil {
			size, mapErr = i, err
			break
		}
		if !ok || !t.selects(m.Type) {
			continue
		}
		wm := message.NewMessage(m.ID, m.Body)
		wm.Metadata.Set(HeaderType, m.Type)
		wm.Metadata.Set(HeaderStream, m.Stream)
		wm.Metadata.Set(HeaderPosition, strconv.FormatUint(m.Position, 10))
		wm.SetContext(ctx)
		items = append(items, item{index: i, stream: m.Stream, topic: s.topic(m), msg: wm})
	}
	res, err := publishWindow(s.publisher, items, size, window)
	return res, errors.Join(err, mapErr)
}

// publishWindow publishes items (in batch order, of a batch of size events) with up to window
// messages in flight and at most one of each stream: every stream's messages go out in batch
// order, one Publish call each, the next only once the broker confirmed the previous (the
// publishers return only then: JetStream acks, RabbitMQ publisher confirms, Kafka acks). So a
// stream never has a message in flight while an earlier one of it is unconfirmed: a publish
// that fails cannot be overtaken by a later message of its stream, and the retry from the
// checkpoint sends the stream's messages again in order. Streams overtake each other freely,
// and a stream with many messages in the batch (a product sold in every sale) holds up no
// other: the batch takes as many round trips as its busiest stream has messages. A window of
// 1 publishes the items one after the other, in batch order.
//
// A failure stops every stream before its next call. The result's done counts the leading
// events before the first message that is not confirmed.
func publishWindow(pub message.Publisher, items []item, size, window int) (result, error) {
	if window <= 1 {
		return publishChain(pub, items, size, nil, nil)
	}
	var (
		chains = map[string][]item{}
		order  []string // streams by their first message, so that slots go out in batch order
	)
	for _, it := range items {
		if _, ok := chains[it.stream]; !ok {
			order = append(order, it.stream)
		}
		chains[it.stream] = append(chains[it.stream], it)
	}
	var (
		slots = make(chan struct{}, window)
		stop  atomic.Bool
		mu    sync.Mutex
		errs  []error
		res   = result{done: size}
		wg    sync.WaitGroup
	)
	for _, stream := range order {
		wg.Go(func() {
			r, err := publishChain(pub, chains[stream], size, slots, &stop)
			mu.Lock()
			defer mu.Unlock()
			res.confirmed += r.confirmed
			res.done = min(res.done, r.done)
			if err != nil {
				errs = append(errs, err)
				stop.Store(true)
			}
		})
	}
	wg.Wait()
	return res, errors.Join(errs...)
}

// publishChain publishes items one message per call, in order, until they are done, a call
// fails or stop (when not nil) is set; each call takes a slot of slots (when not nil) for its
// duration. Its result's done is the batch index of the first item not confirmed (size when
// all were).
func publishChain(pub message.Publisher, items []item, size int, slots chan struct{}, stop *atomic.Bool) (result, error) {
	for i, it := range items {
		if slots != nil {
			slots <- struct{}{}
		}
		if stop != nil && stop.Load() {
			if slots != nil {
				<-slots
			}
			return result{done: it.index, confirmed: i}, nil
		}
		err := pub.Publish(it.topic, it.msg)
		if slots != nil {
			<-slots
		}
		if err != nil {
			return result{done: it.index, confirmed: i}, fmt.Errorf("publish to %s: %w", it.topic, err)
		}
	}
	return result{done: size, confirmed: len(items)}, nil
}
