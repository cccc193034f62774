package policies

import (
	"context"
	"fmt"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// lagCountCap bounds how many events Statuses reads to count a policy's lag.
const lagCountCap = 10_000

// Status is one policy's progress as any process sees it: its saved checkpoint and how far
// $all has gone past it. (Runner.Progress is the running replica's own view, for metrics.)
type Status struct {
	Name         string              `json:"name"`
	Position     eventstore.Position `json:"checkpoint"`
	HeadPosition eventstore.Position `json:"head_position"`
	// LagEvents counts the events the policy still has to handle (at most 10,000).
	LagEvents int `json:"lag_events"`
	// LagSeconds is the age of the oldest event it still has to handle.
	LagSeconds float64 `json:"lag_seconds"`
}

// Statuses reports the Status of each of ps, whose checkpoints are in cps, against the head
// of store's $all.
func Statuses(ctx context.Context, store eventstore.Store, cps CheckpointStore, ps []Policy) ([]Status, error) {
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return nil, fmt.Errorf("policy status: head position: %w", err)
	}
	out := make([]Status, 0, len(ps))
	for _, p := range ps {
		at, err := cps.Load(ctx, p.Name)
		if err != nil {
			return nil, fmt.Errorf("policy status: %s checkpoint: %w", p.Name, err)
		}
		s := Status{Name: p.Name, Position: at, HeadPosition: head}
		if head > at {
			evs, err := store.ReadAll(ctx, at, lagCountCap, p.Filter)
			if err != nil {
				return nil, fmt.Errorf("policy status: read $all after %d: %w", at, err)
			}
			for _, e := range evs {
				if e.Position <= head {
					s.LagEvents++
				}
			}
			if s.LagEvents > 0 {
				s.LagSeconds = max(0, time.Since(evs[0].RecordedAt).Seconds())
			}
		}
		out = append(out, s)
	}
	return out, nil
}
