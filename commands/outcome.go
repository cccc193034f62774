package commands

import "context"

// Outcome is what a command wrote and the aggregate as the command left it (on a replay, as
// it is now), so the caller renders State instead of reading the stream again.
type Outcome[S any] struct {
	Result
	State Loaded[S]
}

// run is Execute returning the aggregate after the command.
func run[S, E any](ctx context.Context, h *Handler, stream string, agg Aggregate[S, E], cmd Context, decide func(S) ([]E, error)) (Outcome[S], error) {
	res, after, err := execute(ctx, h, stream, agg, cmd, nil, decide)
	if err != nil {
		return Outcome[S]{}, err
	}
	return Outcome[S]{Result: res, State: after}, nil
}
