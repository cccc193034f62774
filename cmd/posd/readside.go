package main

import (
	"fmt"

	"github.com/odata-pos/pos/api/ops"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/internal/services"
	"github.com/odata-pos/pos/projections"
)

// readSideCheckName is the read side's entry in /readyz and pos_dependency_up.
const readSideCheckName = "projections"

// readSideCheck is the readiness check of the read side, in every role: down while a projection
// has failed or no replica runs one (projections.Runner.Health, read from the checkpoint table
// and pg_locks, so an API replica sees the projector's state too).
//
// It is not required: /readyz stays 200 ("degraded") and the replica keeps its traffic. Taking
// API replicas out of the load balancer would stop sales, which do not need the read side and
// lose nothing while it is stale; and a projector that is not ready would stall the very
// rollout that ships the fix for a poison event, while restarting it cannot repair a failed
// projection (an operator skips or rebuilds it). The alerts PosdProjectionFailed and
// PosdProjectionNoLeader page instead (monitoring/prometheus/rules).
func readSideCheck(d *deps) (ops.Checker, error) {
	// A status-only runner: never started, it leads nothing.
	runner, err := projections.New(projections.Config{Pool: d.db, Store: d.store, Projections: services.All(commands.NewCodec())})
	if err != nil {
		return nil, fmt.Errorf("read side check: %w", err)
	}
	return ops.NewCheck(readSideCheckName, false, runner.Health), nil
}
