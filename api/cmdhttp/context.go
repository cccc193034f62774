package cmdhttp

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
)

// Headers of the command API.
const (
	HeaderIfMatch       = "If-Match"
	HeaderETag          = "ETag"
	HeaderApprovalToken = "X-Approval-Token"
	HeaderCorrelationID = "X-Correlation-ID"
)

// Command builds the commands.Context of a request: its idempotency ID (derived by the caller
// from the client's IDs), the principal as user, the request ID as causation, the client's
// correlation ID when sent (else the request ID), the If-Match condition, and where the
// command happened. occurredAt may be zero; it then defaults to now.
func Command(r *http.Request, id, storeID, registerID string, occurredAt time.Time, now time.Time) (commands.Context, error) {
	p, _ := authz.PrincipalFrom(r.Context())
	reqID := httpx.RequestIDFrom(r.Context())
	corr := strings.TrimSpace(r.Header.Get(HeaderCorrelationID))
	if corr == "" || len(corr) > 128 {
		corr = reqID
	}
	if occurredAt.IsZero() {
		occurredAt = now
	}
	ifMatch, err := IfMatch(r)
	if err != nil {
		return commands.Context{}, err
	}
	return commands.Context{
		ID:            id,
		CorrelationID: corr,
		CausationID:   reqID,
		UserID:        p.UserID,
		StoreID:       storeID,
		RegisterID:    registerID,
		OccurredAt:    occurredAt.UTC(),
		IfMatch:       ifMatch,
		Extra:         map[string]string{"request_id": reqID},
	}, nil
}

// IfMatch parses the If-Match header: a stream revision, quoted or not. Absent → nil.
func IfMatch(r *http.Request) (*uint64, error) {
	v := strings.TrimSpace(r.Header.Get(HeaderIfMatch))
	if v == "" {
		return nil, nil
	}
	v = strings.TrimPrefix(v, "W/")
	v = strings.Trim(v, `"`)
	rev, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return nil, httpx.BadRequest("invalid_if_match", "If-Match must be a revision number returned in an ETag")
	}
	return &rev, nil
}

// ETag renders a revision as an ETag value.
func ETag(revision uint64) string { return `"` + strconv.FormatUint(revision, 10) + `"` }

// CommandID returns the idempotency ID of a command about a resource that has no
// client-generated ID for the operation itself (a role change, a price change): the client's
// Idempotency-Key when sent, so a retried request is recognised, else a fresh random ID (such
// operations are naturally idempotent: repeating one records nothing new).
func CommandID(r *http.Request, op, resourceID string) string {
	if key := r.Header.Get(HeaderIdempotencyKey); key != "" {
		p, _ := authz.PrincipalFrom(r.Context())
		return op + ":" + resourceID + ":" + p.UserID + ":" + key
	}
	return op + ":" + resourceID + ":" + uuid.NewString()
}
