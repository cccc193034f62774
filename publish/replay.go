package publish

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/integration"
)

// replayPage is how many events Replay reads from $all at a time.
const replayPage = 500

// Replay publishes again, to t, the events of $all from position from (inclusive) up to the
// head at its start, for a consumer that joins late. It leaves the live checkpoint alone, so
// consumers that already had these messages see them again (same IDs: they deduplicate).
// JetStream drops a message whose ID it stored within its duplicate window: those are still
// in the stream. It returns how many messages it published and the last position read.
func Replay(ctx context.Context, store eventstore.Store, t Target, from eventstore.Position, log *slog.Logger) (int, eventstore.Position, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("head of $all: %w", err)
	}
	s, err := dial(ctx, t, log)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = s.publisher.Close() }()
	after := eventstore.Start
	if from > 0 {
		after = from - 1 // ReadAll starts after its position: from itself is included
	}
	total := 0
	for after < head {
		evs, err := store.ReadAll(ctx, after, replayPage, integration.Filter(t.Types))
		if err != nil {
			return total, after, fmt.Errorf("read $all after %d: %w", after, err)
		}
		for len(evs) > 0 && evs[len(evs)-1].Position > head {
			evs = evs[:len(evs)-1]
		}
		if len(evs) == 0 {
			break
		}
		res, err := publishBatch(ctx, t, s, evs, t.window(DefaultWindow))
		total += res.confirmed
		if err != nil {
			if res.done > 0 {
				after = evs[res.done-1].Position
			}
			return total, after, err
		}
		after = evs[len(evs)-1].Position
	}
	return total, after, nil
}
