package audit

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/eventstore"
)

// TypeQueryPerformed is the event type of a recorded audit query.
const TypeQueryPerformed = "audit.query_performed.v1"

// LogPrefix is the stream category of recorded audit queries: "auditlog-<YYYY-MM-DD>".
const LogPrefix = "auditlog-"

// QueryPerformed is the data of a recorded audit query.
type QueryPerformed struct {
	UserID string `json:"user_id"`
	Method string `json:"method"`
	Route  string `json:"route"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
}

// recorded wraps an audit handler: the query is appended to the day's audit log stream
// before it is answered.
func (h *Handlers) recorded(next httpx.HandlerFunc) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, _ := authz.PrincipalFrom(r.Context())
		now := h.Now().UTC()
		route := r.URL.Path
		if cur := currentRoute(r); cur != "" {
			route = cur
		}
		data, err := json.Marshal(QueryPerformed{UserID: p.UserID, Method: r.Method, Route: route, Path: r.URL.Path, Query: r.URL.RawQuery})
		if err != nil {
			return err
		}
		stream := LogPrefix + now.Format("2006-01-02")
		_, err = h.Store.Append(r.Context(), stream, eventstore.Any, []eventstore.EventData{{
			ID: uuid.New(), Type: TypeQueryPerformed, Data: data,
			Metadata: eventstore.Metadata{
				UserID: p.UserID, OccurredAt: now, CorrelationID: httpx.RequestIDFrom(r.Context()),
				Extra: map[string]string{"request_id": httpx.RequestIDFrom(r.Context())},
			},
		}})
		if err != nil {
			return httpx.Unavailable("audit_log_unavailable", "the audit query could not be recorded", fmt.Errorf("record audit query: %w", err))
		}
		return next(w, r)
	}
}

// currentRoute is the matched route's path template, "" outside a mux route.
func currentRoute(r *http.Request) string {
	if cr := mux.CurrentRoute(r); cr != nil {
		if t, err := cr.GetPathTemplate(); err == nil {
			return t
		}
	}
	return ""
}
