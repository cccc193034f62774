package rules

import (
	"errors"
	"slices"
)

// Approval actions, as named in the HTTP API's approval tokens.
const (
	// ActionSaleDiscount allows a discount beyond the cashier's limit.
	ActionSaleDiscount = "sale.discount"
	// ActionSalePriceOverride allows selling at a price other than the catalog price.
	ActionSalePriceOverride = "sale.price_override"
	// ActionSaleVoid allows voiding a sale or removing a line after payment was taken.
	ActionSaleVoid = "sale.void"
	// ActionReturnNoReceipt allows a return without the original sale.
	ActionReturnNoReceipt = "return.no_receipt"
	// ActionReturnOverLimit allows a refund above the cashier's refund limit.
	ActionReturnOverLimit = "return.over_limit"
	// ActionShiftCloseOverShort allows closing a shift with cash over/short beyond tolerance.
	ActionShiftCloseOverShort = "shift.close_over_short"
)

// Approval is a manager's approval of one action, already verified by the API layer (token
// signature, role, expiry, single use). The domain only checks that it names the right action.
type Approval struct {
	// ApproverID is the user ID of the approving manager.
	ApproverID string `json:"approver_id"`
	// Action is one of the Action constants.
	Action string `json:"action"`
}

// Require returns nil when a approves action, else ErrApprovalRequired naming the action.
func Require(a *Approval, action string) error {
	if a != nil && a.Action == action && a.ApproverID != "" {
		return nil
	}
	return ApprovalRequired(action)
}

// ApproverOf returns the approver's ID when a approves action, else "".
func ApproverOf(a *Approval, action string) string {
	if a != nil && a.Action == action {
		return a.ApproverID
	}
	return ""
}

// Approvals are the approvals one command carries, at most one per action, keyed by action.
// A command may need several (a line with a price override and a discount beyond the limit);
// nil approves nothing.
type Approvals map[string]Approval

// ApprovalsOf returns the set holding as, each under its own action.
func ApprovalsOf(as ...Approval) Approvals {
	var out Approvals
	for _, a := range as {
		out = out.With(a)
	}
	return out
}

// With returns a copy of as that also holds a (replacing an approval of the same action).
func (as Approvals) With(a Approval) Approvals {
	out := make(Approvals, len(as)+1)
	for k, v := range as {
		out[k] = v
	}
	out[a.Action] = a
	return out
}

// Of returns the approval of action, or nil when as holds none.
func (as Approvals) Of(action string) *Approval {
	a, ok := as[action]
	if !ok || a.Action != action {
		return nil
	}
	return &a
}

// Require returns the approver of action, or ErrApprovalRequired naming the action when as
// does not approve it.
func (as Approvals) Require(action string) (string, error) {
	a := as.Of(action)
	if err := Require(a, action); err != nil {
		return "", err
	}
	return a.ApproverID, nil
}

// ApprovalRequired returns ErrApprovalRequired naming actions (each once, in order): the
// approvals a command still needs, every one of them, so that they can be asked for at once.
func ApprovalRequired(actions ...string) error {
	e := *ErrApprovalRequired
	for _, a := range actions {
		if !slices.Contains(e.Actions, a) {
			e.Actions = append(e.Actions, a)
		}
	}
	if len(e.Actions) > 0 {
		e.Action = e.Actions[0]
	}
	return &e
}

// RequiredApprovals returns the actions err asks approvals for, or nil when err is not
// ErrApprovalRequired.
func RequiredApprovals(err error) []string {
	var re *RuleError
	if !errors.As(err, &re) || re.Code != ErrApprovalRequired.Code {
		return nil
	}
	if len(re.Actions) > 0 {
		return slices.Clone(re.Actions)
	}
	if re.Action != "" {
		return []string{re.Action}
	}
	return nil
}

// Limits are what the acting user may do without an approval. Managers and admins get
// Unlimited; cashiers get the store's configured limits.
type Limits struct {
	// Unlimited lifts every limit below.
	Unlimited bool `json:"unlimited,omitempty"`
	// MaxDiscountBP is the largest discount, in basis points, that the user may give alone:
	// of each discount's base, and of the sale's effective discount (line and sale discounts
	// together, as a share of the undiscounted gross), so that discounts cannot be stacked.
	MaxDiscountBP int64 `json:"max_discount_bp"`
	// MaxRefund is the largest refund, in minor units of the store currency, that the user may
	// give alone.
	MaxRefund int64 `json:"max_refund"`
}

// Registry receives event type registrations; eventstore's Codec satisfies it. Domain packages
// export a Register(Registry) function so the commands layer can fill its codec without the
// domain importing the event store.
type Registry interface {
	Register(name string, sample any)
}
