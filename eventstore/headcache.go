package eventstore

import (
	"context"
	"sync"
	"time"
)

// HeadCache shares one Store.HeadPosition among callers that only want a recent head, such as
// the lag figures of a process's projections and policies: it asks the store at most once per
// Every and answers the others with that head. On PostgreSQL each HeadPosition is a max()
// and a proof that no append below it is in flight (polling pg_locks while some are), so a
// dozen workers asking once a second each cost a busy database more than their figures are
// worth. The head it returns may be up to Every old: a lower bound of the head, never a
// position to wait for to read one's own writes.
type HeadCache struct {
	Store Store
	// Every is how long a head is reused; default one second.
	Every time.Duration

	mu   sync.Mutex
	head Position
	at   time.Time
}

// HeadPosition returns the store's head as asked at most Every ago.
func (c *HeadCache) HeadPosition(ctx context.Context) (Position, error) {
	every := c.Every
	if every <= 0 {
		every = time.Second
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < every {
		return c.head, nil
	}
	head, err := c.Store.HeadPosition(ctx)
	if err != nil {
		return 0, err
	}
	c.head, c.at = max(c.head, head), time.Now()
	return c.head, nil
}
