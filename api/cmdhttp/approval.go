package cmdhttp

import (
	"context"
	"net/http"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/domain/rules"
)

// ApprovalConsumer spends approval tokens; *auth.Approvals implements it.
type ApprovalConsumer interface {
	Consume(ctx context.Context, token string, action auth.Action, resourceID string) (approverID string, err error)
}

// Approval spends the request's X-Approval-Token for action on resourceID and returns the
// domain approval, or nil when the request carries no token (the decider then says whether
// one was needed). A token for another action or resource is an error and is spent.
func Approval(r *http.Request, approvals ApprovalConsumer, action, resourceID string) (*rules.Approval, error) {
	token := r.Header.Get(HeaderApprovalToken)
	if token == "" || approvals == nil {
		return nil, nil
	}
	approver, err := approvals.Consume(r.Context(), token, auth.Action(action), resourceID)
	if err != nil {
		return nil, err
	}
	return &rules.Approval{ApproverID: approver, Action: action}, nil
}
