package commands

import (
	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/user"
	"github.com/odata-pos/pos/eventstore"
)

// NewCodec returns the codec of every event type of the write side: the aggregates of
// domain.RegisterWriteSide and the users.
func NewCodec() *eventstore.Codec {
	c := eventstore.NewCodec()
	domain.RegisterWriteSide(c)
	user.Register(c)
	return c
}
