package commands

import (
	"context"
	"sync"
)

// MemorySnapshots is a SnapshotStore in memory, for tests and single-process tools.
type MemorySnapshots struct {
	mu    sync.Mutex
	snaps map[[2]string]Snapshot
	saves int
}

// NewMemorySnapshots returns an empty MemorySnapshots.
func NewMemorySnapshots() *MemorySnapshots {
	return &MemorySnapshots{snaps: map[[2]string]Snapshot{}}
}

// LoadSnapshot returns the stream's snapshot of kind.
func (m *MemorySnapshots) LoadSnapshot(_ context.Context, stream, kind string) (Snapshot, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.snaps[[2]string{stream, kind}]
	return s, ok, nil
}

// SaveSnapshot stores snap unless a snapshot of the same or a later revision is stored.
func (m *MemorySnapshots) SaveSnapshot(_ context.Context, snap Snapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{snap.Stream, snap.Kind}
	if old, ok := m.snaps[k]; !ok || old.Revision < snap.Revision {
		m.snaps[k] = snap
		m.saves++
	}
	return nil
}

// Saves counts the snapshots stored.
func (m *MemorySnapshots) Saves() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.saves
}
