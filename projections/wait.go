package projections

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// waitPollInterval is how often WaitFor re-reads the checkpoint when another replica runs
// the projection.
const waitPollInterval = 50 * time.Millisecond

// WaitFor blocks until the live generation of name has applied position (its checkpoint is
// at or past it), or ctx is done (the error then wraps ctx.Err(): the API answers 503
// consistency_timeout). When this process runs the projection it wakes on the commit itself;
// otherwise it polls the checkpoint table.
func (r *Runner) WaitFor(ctx context.Context, name string, position eventstore.Position) error {
	if _, err := r.projection(name); err != nil {
		return err
	}
	for {
		pos, leading, changed := r.notify.state(name)
		if pos >= position {
			return nil
		}
		var poll <-chan time.Time
		if !leading {
			var live int64
			err := r.cfg.Pool.QueryRow(ctx, `SELECT position FROM projection_checkpoints WHERE name = $1 AND live`, name).Scan(&live)
			if err == nil && eventstore.Position(live) >= position {
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("wait for %s to apply %d: %w", name, position, ctx.Err())
			}
			t := time.NewTimer(waitPollInterval)
			defer t.Stop()
			poll = t.C
		}
		select {
		case <-changed:
		case <-poll:
		case <-ctx.Done():
			return fmt.Errorf("wait for %s to apply %d: %w", name, position, ctx.Err())
		}
	}
}

// notifier tells in-process waiters when a live checkpoint this process applies advances.
type notifier struct {
	mu sync.Mutex
	by map[string]*notice
}

type notice struct {
	pos     eventstore.Position
	leading bool
	changed chan struct{} // closed and replaced on every change
}

func newNotifier() *notifier { return &notifier{by: map[string]*notice{}} }

func (n *notifier) get(name string) *notice {
	s, ok := n.by[name]
	if !ok {
		s = &notice{changed: make(chan struct{})}
		n.by[name] = s
	}
	return s
}

// state returns what this process knows: the live position it applied, whether it leads the
// projection (so the position is current), and a channel closed on the next change.
func (n *notifier) state(name string) (eventstore.Position, bool, <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.get(name)
	return s.pos, s.leading, s.changed
}

func (n *notifier) advance(name string, pos eventstore.Position) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.get(name)
	if pos > s.pos {
		s.pos = pos
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

// lead records whether this process runs the projection. Losing the lead forgets the position
// (another replica moves it now) and wakes waiters so they fall back to polling.
func (n *notifier) lead(name string, leading bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.get(name)
	s.leading = leading
	if !leading {
		s.pos = 0
	}
	close(s.changed)
	s.changed = make(chan struct{})
}
