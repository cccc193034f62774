package rules

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
	e := *ErrApprovalRequired
	e.Action = action
	return &e
}

// ApproverOf returns the approver's ID when a approves action, else "".
func ApproverOf(a *Approval, action string) string {
	if a != nil && a.Action == action {
		return a.ApproverID
	}
	return ""
}

// Limits are what the acting user may do without an approval. Managers and admins get
// Unlimited; cashiers get the store's configured limits.
type Limits struct {
	// Unlimited lifts every limit below.
	Unlimited bool `json:"unlimited,omitempty"`
	// MaxDiscountBP is the largest discount, in basis points of the discounted amount, that
	// the user may give alone.
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
