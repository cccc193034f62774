package api

import (
	"context"
	"errors"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/users"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readmodels"
)

// Services are the application services the route areas call. The composition root builds
// them once (internal/services) and hands them to Mount ready to use.
type Services struct {
	// Codec knows every write-side event (commands.NewCodec).
	Codec *eventstore.Codec
	// Commands is the command handler the command services below run on.
	Commands  *commands.Handler
	Users     *commands.Users
	Sales     *commands.Sales
	Shifts    *commands.Shifts
	Stores    *commands.Stores
	Catalog   *commands.Catalog
	Inventory *commands.Inventory
	Returns   *commands.Returns
	// Access is what every authenticated request reads, the users' access and the revoked
	// tokens and sessions, in one round trip (internal/credentials).
	Access users.AccessStore
	// Passwords hashes and checks passwords.
	Passwords *auth.Passwords
	// Projections is a runner over every read model that is never started here: it answers
	// X-Consistent-With waits and the projection control routes through the checkpoint table,
	// whichever replica runs each projection.
	Projections *projections.Runner
	// Queries are the read models' query sides.
	Queries readmodels.Queries
	// Policies reports the write side's policies for GET /stats.
	Policies func(ctx context.Context) ([]policies.Status, error)
}

func (s Services) validate() error {
	if s.Codec == nil || s.Commands == nil || s.Users == nil || s.Sales == nil || s.Shifts == nil ||
		s.Stores == nil || s.Catalog == nil || s.Inventory == nil || s.Returns == nil ||
		s.Access == nil || s.Passwords == nil || s.Projections == nil || s.Policies == nil {
		return errors.New("api: every service of Services is required")
	}
	return nil
}
