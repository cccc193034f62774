package policies

import (
	"context"
	"sync"

	"github.com/odata-pos/pos/eventstore"
)

// CheckpointStore keeps each policy's position in $all: every event at or below it has been
// handled. internal/pgcheckpoint implements it in PostgreSQL.
type CheckpointStore interface {
	// Load returns the policy's checkpoint, eventstore.Start when it has none.
	Load(ctx context.Context, name string) (eventstore.Position, error)
	// Save stores the policy's checkpoint.
	Save(ctx context.Context, name string, pos eventstore.Position) error
}

// MemoryCheckpoints is an in-process CheckpointStore, for tests and single-process tools.
type MemoryCheckpoints struct {
	mu  sync.Mutex
	pos map[string]eventstore.Position
}

// NewMemoryCheckpoints returns an empty MemoryCheckpoints.
func NewMemoryCheckpoints() *MemoryCheckpoints {
	return &MemoryCheckpoints{pos: map[string]eventstore.Position{}}
}

// Load implements CheckpointStore.
func (m *MemoryCheckpoints) Load(_ context.Context, name string) (eventstore.Position, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pos[name], nil
}

// Save implements CheckpointStore.
func (m *MemoryCheckpoints) Save(_ context.Context, name string, pos eventstore.Position) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pos[name] = pos
	return nil
}
