package commands

import (
	"context"
	"time"

	"github.com/odata-pos/pos/domain/reservation"
)

// reservationAggregate folds a reservation stream.
var reservationAggregate = Aggregate[reservation.State, reservation.Event]{
	Initial: func() reservation.State { return reservation.State{} },
	Evolve:  reservation.Evolve,
}

// ReservationStream names the stream that makes key unique (for example "username:alice").
func ReservationStream(key string) string { return "reservation-" + key }

// Claim makes owner the holder of key, or fails with rules.ErrDuplicate when someone else
// holds it. Claiming a key one already holds succeeds, so a retried command is safe.
func Claim(ctx context.Context, h *Handler, cmd Context, key, owner string) (Result, error) {
	cmd.ID += "|claim|" + key
	return Execute(ctx, h, ReservationStream(key), reservationAggregate, cmd, func(s reservation.State) ([]reservation.Event, error) {
		return reservation.Decide(s, reservation.Claim{Key: key, Owner: owner}, time.Time{})
	})
}

// Release gives key up on behalf of owner.
func Release(ctx context.Context, h *Handler, cmd Context, key, owner string) (Result, error) {
	cmd.ID += "|release|" + key
	return Execute(ctx, h, ReservationStream(key), reservationAggregate, cmd, func(s reservation.State) ([]reservation.Event, error) {
		return reservation.Decide(s, reservation.Release{Key: key, Owner: owner}, time.Time{})
	})
}

// Owner returns who holds key ("" when nobody does), read from the write side.
func Owner(ctx context.Context, h *Handler, key string) (string, error) {
	l, err := Load(ctx, h, ReservationStream(key), reservationAggregate)
	if err != nil {
		return "", err
	}
	return l.State.Owner, nil
}
