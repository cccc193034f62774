package commands

import (
	"context"
	"sync"
)

// CachedSnapshots keeps the latest snapshot of each stream in memory in front of a durable
// SnapshotStore. A Handler given one stores a snapshot after every load that folded an event
// (not only every Snapshotting.Every events), so a stream that grows with every sale (a
// register, a shift) is loaded from this process's memory and folds only what other
// processes appended since: no snapshot round trip, no re-decoding of up to Every events per
// command. The durable store still gets a snapshot every `every` events of a stream, for
// other processes and restarts. For an aggregate whose Snapshotting has Clone, the memory tier
// keeps the state itself (a clone), not its encoding, and it is encoded only for the durable
// store. Snapshots stay a cache: one that does not match the stream is ignored by Load,
// whichever tier it came from.
type CachedSnapshots struct {
	durable SnapshotStore
	every   uint64
	max     int

	mu      sync.Mutex
	entries map[[2]string]cachedSnapshot
}

// cachedSnapshot is a stream's latest snapshot and the revision of its latest durable one.
type cachedSnapshot struct {
	snap       Snapshot
	durable    uint64
	hasDurable bool
}

// NewCachedSnapshots returns a memory tier of at most max streams in front of durable, which
// gets a snapshot of a stream every `every` events.
func NewCachedSnapshots(durable SnapshotStore, every uint64, max int) *CachedSnapshots {
	return &CachedSnapshots{durable: durable, every: max64(every, 1), max: max, entries: map[[2]string]cachedSnapshot{}}
}

func max64(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// LoadSnapshot returns the stream's snapshot from memory, or else from the durable store. One
// that this process holds as a value (Snapshotting.Clone) comes without State: Load takes a
// clone of the value instead.
func (c *CachedSnapshots) LoadSnapshot(ctx context.Context, stream, kind string) (Snapshot, bool, error) {
	k := [2]string{stream, kind}
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok {
		return e.snap, true, nil
	}
	snap, ok, err := c.durable.LoadSnapshot(ctx, stream, kind)
	if err != nil || !ok {
		return snap, ok, err
	}
	c.put(k, cachedSnapshot{snap: snap, durable: snap.Revision, hasDurable: true})
	return snap, true, nil
}

// SaveSnapshot keeps snap in memory unless a later one is kept, and stores it durably when
// the stream's durable snapshot is `every` events behind (or missing).
func (c *CachedSnapshots) SaveSnapshot(ctx context.Context, snap Snapshot) error {
	return c.save(ctx, snap, nil)
}

// save is SaveSnapshot for a snapshot that may hold its state as a value (Snapshot.held)
// without its encoding: encode then gives State, called only when the durable store is due
// one.
func (c *CachedSnapshots) save(ctx context.Context, snap Snapshot, encode func() ([]byte, error)) error {
	k := [2]string{snap.Stream, snap.Kind}
	c.mu.Lock()
	e, ok := c.entries[k]
	if ok && e.snap.Revision >= snap.Revision {
		c.mu.Unlock()
		return nil
	}
	durable := !e.hasDurable || snap.Revision >= e.durable+c.every
	e.snap = snap
	if durable {
		e.durable, e.hasDurable = snap.Revision, true
	}
	c.putLocked(k, e)
	c.mu.Unlock()
	if !durable {
		return nil
	}
	if encode != nil {
		state, err := encode()
		if err != nil {
			return err
		}
		snap.State = state
	}
	snap.held = nil
	return c.durable.SaveSnapshot(ctx, snap)
}

func (c *CachedSnapshots) put(k [2]string, e cachedSnapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[k]; ok && old.snap.Revision >= e.snap.Revision {
		return
	}
	c.putLocked(k, e)
}

// putLocked stores e, first dropping an arbitrary entry when the tier is full.
func (c *CachedSnapshots) putLocked(k [2]string, e cachedSnapshot) {
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.max {
		for drop := range c.entries {
			delete(c.entries, drop)
			break
		}
	}
	c.entries[k] = e
}
