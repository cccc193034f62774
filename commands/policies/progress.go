package policies

import (
	"context"
	"sync"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// headEvery is how often a busy policy asks the store for the head of $all (for its lag).
const headEvery = time.Second

// Progress is one policy's progress in this runner, for metrics (cmd/posd exports it).
type Progress struct {
	Policy string
	// Position is how far the runner has handled $all (zero before its first batch); its
	// saved checkpoint follows within Config.CheckpointInterval.
	Position eventstore.Position
	// Waiting is true while the policy has handled every event it was given and waits for
	// more; its lag is then zero.
	Waiting bool
	// LagPositions is the head of $all (as last asked, at most a second ago) minus Position
	// while the policy has events to handle.
	LagPositions uint64
	// LagSeconds is the age of the oldest event the policy has been given and not handled.
	LagSeconds float64
	// Handled counts the events handled; Failures the failed attempts (each retried).
	Handled, Failures uint64
}

// tracker keeps one policy's Progress.
type tracker struct {
	heads *eventstore.HeadCache // shared by the runner's trackers
	mu    sync.Mutex
	p     Progress
	// oldest is the recorded time of the oldest event not handled yet; headAt when the head
	// was last asked.
	oldest, headAt time.Time
	head           eventstore.Position
}

// idle notes that the policy handled everything it was given.
func (t *tracker) idle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.p.Waiting = true
}

// busy notes a batch from first to last, asking for the head when it last did so more than
// headEvery ago (the runner's policies share one head, asked of the store once per headEvery).
func (t *tracker) busy(ctx context.Context, first eventstore.RecordedEvent, last eventstore.Position) {
	t.mu.Lock()
	ask := time.Since(t.headAt) >= headEvery
	if ask {
		t.headAt = time.Now()
	}
	t.p.Waiting, t.oldest, t.head = false, first.RecordedAt, max(t.head, last)
	t.mu.Unlock()
	if !ask {
		return
	}
	head, err := t.heads.HeadPosition(ctx)
	if err != nil {
		return // the lag shows the last head known
	}
	t.mu.Lock()
	t.head = max(t.head, head)
	t.mu.Unlock()
}

// handled notes n events handled up to the checkpoint at.
func (t *tracker) handled(n int, at eventstore.Position) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.p.Position, t.p.Handled = at, t.p.Handled+uint64(n)
}

// failed notes a failed attempt.
func (t *tracker) failed() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.p.Failures++
}

// progress returns the policy's Progress now.
func (t *tracker) progress(now time.Time) Progress {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.p
	if !p.Waiting {
		if t.head > p.Position {
			p.LagPositions = uint64(t.head - p.Position)
		}
		if !t.oldest.IsZero() {
			p.LagSeconds = max(0, now.Sub(t.oldest).Seconds())
		}
	}
	return p
}

// Progress returns the progress of each policy in this runner, in configuration order.
func (r *Runner) Progress() []Progress {
	now := time.Now()
	out := make([]Progress, len(r.cfg.Policies))
	for i, p := range r.cfg.Policies {
		out[i] = r.trackers[p.Name].progress(now)
	}
	return out
}
