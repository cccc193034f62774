// Package feed is an in-process watermill Subscriber for workers that must hand messages to a
// watermill router one at a time, in order: one unbuffered channel per topic, written by the
// worker with Send, which the worker follows by waiting for the message's ack before sending
// the next. The projection runner and the policy runner both feed their routers with it.
package feed

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("feed closed")

// Feed is the Subscriber. Add every topic before the router subscribes to it.
type Feed struct {
	mu     sync.RWMutex // Send holds it shared while sending; Close exclusively while closing
	chans  map[string]chan *message.Message
	closed bool
}

// New returns a Feed without topics.
func New() *Feed { return &Feed{chans: map[string]chan *message.Message{}} }

// Add creates topic's channel.
func (f *Feed) Add(topic string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chans[topic] = make(chan *message.Message)
}

// Subscribe returns the channel of topic; the router calls it once per handler.
func (f *Feed) Subscribe(_ context.Context, topic string) (<-chan *message.Message, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	ch, ok := f.chans[topic]
	if !ok {
		return nil, fmt.Errorf("no feed for topic %s", topic)
	}
	return ch, nil
}

// Close ends every subscription; the router calls it when it closes.
func (f *Feed) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		for _, ch := range f.chans {
			close(ch)
		}
	}
	return nil
}

// Send hands msg to topic's subscriber, blocking until it is taken or ctx ends.
func (f *Feed) Send(ctx context.Context, topic string, msg *message.Message) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		return ErrClosed
	}
	select {
	case f.chans[topic] <- msg:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
