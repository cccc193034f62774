package publish

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
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

// publishBatch maps the events and publishes them through a window of lanes (see lanes).
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
	res, err := publishLanes(s.publisher, items, size, window)
	return res, errors.Join(err, mapErr)
}

// publishLanes publishes items (in batch order, of a batch of size events) with up to window
// publishes in flight. Each stream belongs to one lane (a hash of the stream), and a lane
// publishes its messages in batch order, one Publish call after the other, each call holding
// at most one message of a stream: the publishers return only once the broker confirmed every
// message of the call (JetStream acks, RabbitMQ publisher confirms, Kafka acks), though they
// may send all of a call's messages before the first confirm (amqpPublisher does). So a stream
// never has a message in flight while an earlier one of it is unconfirmed: a publish that
// fails cannot be overtaken by a later message of its stream, and the retry from the
// checkpoint sends the stream's messages again in order. Streams of different lanes overtake
// each other freely.
//
// A failure stops every lane before its next call. The result's done counts the leading
// events before the first message that is not confirmed.
func publishLanes(pub message.Publisher, items []item, size, window int) (result, error) {
	window = max(1, window)
	lanes := make([][]item, window)
	for _, it := range items {
		h := fnv.New32a()
		_, _ = h.Write([]byte(it.stream))
		l := int(h.Sum32() % uint32(window))
		lanes[l] = append(lanes[l], it)
	}
	var (
		stop      atomic.Bool
		mu        sync.Mutex
		errs      []error
		done      = size // the index of the first event not confirmed
		confirmed int
		wg        sync.WaitGroup
	)
	for _, lane := range lanes {
		if len(lane) == 0 {
			continue
		}
		wg.Go(func() {
			n, err := publishLane(pub, lane, &stop)
			mu.Lock()
			defer mu.Unlock()
			confirmed += n
			if n < len(lane) {
				done = min(done, lane[n].index)
			}
			if err != nil {
				errs = append(errs, err)
				stop.Store(true)
			}
		})
	}
	wg.Wait()
	return result{done: done, confirmed: confirmed}, errors.Join(errs...)
}

// publishLane publishes lane in order until it is done, a call fails or stop is set. A call
// takes consecutive messages of one topic up to (not including) a second message of a stream:
// a broker may refuse a message of a call and take a later one (a full queue that makes room
// in between), which must not be the next of the same stream. It returns how many leading
// messages were confirmed.
func publishLane(pub message.Publisher, lane []item, stop *atomic.Bool) (int, error) {
	start := 0
	for start < len(lane) && !stop.Load() {
		end, streams := start+1, map[string]bool{lane[start].stream: true}
		for end < len(lane) && lane[end].topic == lane[start].topic && !streams[lane[end].stream] {
			streams[lane[end].stream] = true
			end++
		}
		msgs := make([]*message.Message, 0, end-start)
		for _, it := range lane[start:end] {
			msgs = append(msgs, it.msg)
		}
		if err := pub.Publish(lane[start].topic, msgs...); err != nil {
			return start, fmt.Errorf("publish to %s: %w", lane[start].topic, err)
		}
		start = end
	}
	return start, nil
}
