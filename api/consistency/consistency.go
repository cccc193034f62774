// Package consistency implements X-Consistent-With, the read-your-writes header of every
// query route (read models and reports alike): a command answers with the position of its
// events in $all, and a query sent with that position answers only once its projection has
// applied it, or 503 consistency_timeout after a bounded wait.
package consistency

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/eventstore"
)

// Header names the header carrying the $all position a query must reflect.
const Header = "X-Consistent-With"

// DefaultTimeout bounds the wait when a route sets none.
const DefaultTimeout = 5 * time.Second

// Waiter waits until a projection has applied a position; *projections.Runner is one (it need
// not run the projections itself: a non-leading runner polls their checkpoints).
type Waiter interface {
	WaitFor(ctx context.Context, name string, position eventstore.Position) error
}

// Wait honours Header on r for the projection name: without the header it returns at once; a
// malformed position is a 400 naming the header; a projection that has not applied the
// position within timeout (zero: DefaultTimeout) is a 503 consistency_timeout with
// Retry-After. A request the client gave up returns its context's error.
func Wait(r *http.Request, w Waiter, name string, timeout time.Duration) error {
	raw := strings.TrimSpace(r.Header.Get(Header))
	if raw == "" {
		return nil
	}
	pos, err := strconv.ParseUint(raw, 10, 63)
	if err != nil {
		return httpx.Invalid(httpx.FieldError{Field: Header, Message: "must be a position (a non-negative integer)"})
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	err = w.WaitFor(ctx, name, eventstore.Position(pos))
	switch {
	case err == nil:
		return nil
	case r.Context().Err() != nil:
		return r.Context().Err()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &httpx.Error{Kind: httpx.KindUnavailable, Code: "consistency_timeout", RetryAfter: time.Second, Err: err,
			Detail: fmt.Sprintf("the read model has not reached position %d yet; retry later", pos)}
	default:
		return err
	}
}
