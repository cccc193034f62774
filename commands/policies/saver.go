package policies

import (
	"context"
	"fmt"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// saveTimeout bounds the last save of a stopping policy, made after its context ended.
const saveTimeout = 5 * time.Second

// saver saves one policy's checkpoint at most once per interval: the position handled so far
// is saved after a batch when the last save is at least interval old, else when due fires
// (interval after the last save), and by close. Events handled after the last save are
// handled again after a crash, which the idempotent handlers allow.
type saver struct {
	store    CheckpointStore
	name     string
	interval time.Duration
	saved    eventstore.Position // the stored checkpoint
	at       eventstore.Position // handled up to here
	savedAt  time.Time
	timer    *time.Timer // runs while at > saved and the interval since savedAt has not passed
}

func newSaver(store CheckpointStore, name string, from eventstore.Position, interval time.Duration) *saver {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &saver{store: store, name: name, interval: interval, saved: from, at: from, timer: t}
}

// handled notes that every event up to at has been handled.
func (s *saver) handled(at eventstore.Position) {
	if at <= s.at {
		return
	}
	if s.at == s.saved { // the first unsaved position since the last save
		s.timer.Reset(max(0, s.interval-time.Since(s.savedAt)))
	}
	s.at = at
}

// due fires when the unsaved position should be saved.
func (s *saver) due() <-chan time.Time { return s.timer.C }

// saveIfDue saves the handled position when it is unsaved and the last save is interval old.
func (s *saver) saveIfDue(ctx context.Context) error {
	if s.at == s.saved || time.Since(s.savedAt) < s.interval {
		return nil
	}
	return s.save(ctx)
}

func (s *saver) save(ctx context.Context) error {
	s.timer.Stop()
	if err := s.store.Save(ctx, s.name, s.at); err != nil {
		return fmt.Errorf("save checkpoint at %d: %w", s.at, err)
	}
	s.saved, s.savedAt = s.at, time.Now()
	return nil
}

// close saves the handled position if it is unsaved, even once ctx has ended.
func (s *saver) close(ctx context.Context) error {
	s.timer.Stop()
	if s.at == s.saved {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	return s.save(ctx)
}
