package projections

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrReadSideUnhealthy is returned by Health when a projection has failed or no replica runs it.
var ErrReadSideUnhealthy = errors.New("read side unhealthy")

// Health reports whether the read side is being kept up to date: nil when every projection
// this runner knows has a live generation that a replica runs (holds its leadership lock) and
// no generation has failed. Otherwise the error wraps ErrReadSideUnhealthy and names the
// failed and leaderless projections. It reads only the checkpoint table and pg_locks (no
// events), so readiness checks may call it often; any replica may call it.
func (r *Runner) Health(ctx context.Context) error {
	cps, err := loadCheckpoints(ctx, r.cfg.Pool, "", false)
	if err != nil {
		return fmt.Errorf("projection health: %w", err)
	}
	held, err := r.heldLocks(ctx)
	if err != nil {
		return fmt.Errorf("projection health: %w", err)
	}
	var failed, leaderless []string
	live := map[string]bool{}
	for _, c := range cps {
		if c.Status == statusFailed {
			failed = append(failed, fmt.Sprintf("%s (v%d at %s)", c.Name, c.Version, positionText(c)))
		}
		if c.Live {
			live[c.Name] = true
		}
	}
	for name := range r.byName {
		if !live[name] || !held[lockKey(name)] {
			leaderless = append(leaderless, name)
		}
	}
	if len(failed) == 0 && len(leaderless) == 0 {
		return nil
	}
	slices.Sort(leaderless)
	var parts []string
	if len(failed) > 0 {
		parts = append(parts, "failed: "+strings.Join(failed, ", "))
	}
	if len(leaderless) > 0 {
		parts = append(parts, "no replica runs: "+strings.Join(leaderless, ", "))
	}
	return fmt.Errorf("%w: %s", ErrReadSideUnhealthy, strings.Join(parts, "; "))
}

// positionText is where a failed generation stopped.
func positionText(c checkpoint) string {
	if c.ErrorPosition != nil {
		return fmt.Sprintf("position %d", *c.ErrorPosition)
	}
	return fmt.Sprintf("checkpoint %d", c.Position)
}
