package feed

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

func TestFeedDeliversInOrderAndCloses(t *testing.T) {
	f := New()
	f.Add("a")
	if _, err := f.Subscribe(context.Background(), "b"); err == nil {
		t.Fatal("subscribed to a topic that was never added")
	}
	ch, err := f.Subscribe(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := range 3 {
			_ = f.Send(context.Background(), "a", message.NewMessage(string(rune('0'+i)), nil))
		}
	}()
	for i := range 3 {
		select {
		case m := <-ch:
			if m.UUID != string(rune('0'+i)) {
				t.Fatalf("message %d is %s", i, m.UUID)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no message")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Send(ctx, "a", message.NewMessage("x", nil)); !errors.Is(err, context.Canceled) {
		t.Fatalf("send with a cancelled context = %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, open := <-ch; open {
		t.Fatal("channel still open after Close")
	}
	if err := f.Send(context.Background(), "a", message.NewMessage("y", nil)); !errors.Is(err, ErrClosed) {
		t.Fatalf("send after Close = %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
