package esdb

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/odata-pos/pos/eventstore"
)

// ErrHiddenByMetadata is returned by Append when the stream's EventStoreDB metadata ($maxAge,
// $maxCount or $tb, set by another tool) hides the stream's last event from reads while the
// server still counts it: the server refuses an append at the revision reads show, and the
// hash chain cannot be continued without the hidden event. It is not retried: an operator has
// to remove that metadata (this store's streams are never meant to expire).
var ErrHiddenByMetadata = errors.New("the stream's metadata ($maxAge, $maxCount or $tb) hides its last event from reads")

// translate turns a client library error into one of eventstore's, so that no driver type
// leaks to callers. op says what failed ("append sale-1").
func (s *Store) translate(ctx context.Context, c *esdb.Client, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, errClosed) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
	if c != nil {
		s.renew(c, err)
	}
	// errors.As rather than esdb.FromError: the client wraps its *esdb.Error in context
	// ("failed to perform delete, details: ...") and FromError only looks at the outer error.
	code := esdb.ErrorCodeUnknown
	var e *esdb.Error
	if errors.As(err, &e) {
		code = e.Code()
	}
	switch code {
	case esdb.ErrorCodeStreamDeleted:
		return fmt.Errorf("%s: %w", op, eventstore.ErrStreamDeleted)
	case esdb.ErrorCodeResourceNotFound:
		return fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
	case esdb.ErrorUnavailable, esdb.ErrorCodeConnectionClosed, esdb.ErrorCodeDeadlineExceeded,
		esdb.ErrorCodeNotLeader, esdb.ErrorAborted:
		return fmt.Errorf("%s: %w: %v", op, eventstore.ErrUnavailable, err)
	}
	if isUnavailable(err) {
		return fmt.Errorf("%s: %w: %v", op, eventstore.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %v", op, err)
}

// isUnavailable reports whether err is a gRPC failure to reach the server.
func isUnavailable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted:
		return true
	}
	return false
}

// tombstoneVersionRE finds the actual version in the server's FailedPrecondition message for
// a delete or tombstone at a wrong expected version.
var tombstoneVersionRE = regexp.MustCompile(`WrongExpectedVersion.*Actual version: (-?\d+)`)

// actualFromDeleteError reports whether err is a tombstone refused for a wrong expected
// version (wrong) and, when the message carries it, the actual revision (known). The client
// reports it only as a gRPC FailedPrecondition status whose message names the versions.
func actualFromDeleteError(err error) (actual eventstore.ActualRevision, known, wrong bool) {
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "WrongExpectedVersion") {
		return eventstore.ActualRevision{}, false, false
	}
	if m := tombstoneVersionRE.FindStringSubmatch(err.Error()); m != nil {
		actual, known = parseActual(m[1])
	}
	return actual, known, true
}

// parseActual reads a revision as the server reports it: a number, or "no_stream" / -1.
func parseActual(s string) (eventstore.ActualRevision, bool) {
	if s == "no_stream" || s == "-1" {
		return eventstore.ActualRevision{}, true
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return eventstore.ActualRevision{}, false
	}
	return eventstore.ActualRevision{Exists: true, Revision: n}, true
}
