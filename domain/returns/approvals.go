package returns

import (
	"slices"
	"strings"

	"github.com/odata-pos/pos/domain/rules"
)

// neededApprovals returns the managers' approvals a decided return e needs, in this order: a
// return without receipt needs rules.ActionReturnNoReceipt, and one refunding more than the
// user's limit rules.ActionReturnOverLimit, so a no-receipt return above the limit needs both.
func neededApprovals(e ReturnRecorded, lim rules.Limits) []string {
	var needs []string
	if e.NoReceipt {
		needs = append(needs, rules.ActionReturnNoReceipt)
	}
	if !lim.Unlimited && e.Total.Amount > lim.MaxRefund {
		needs = append(needs, rules.ActionReturnOverLimit)
	}
	return needs
}

// approve records on e the approver of every approval it needs (Approvals, and ApprovedBy),
// or refuses it naming every approval as does not give, all at once.
func approve(e *ReturnRecorded, lim rules.Limits, as rules.Approvals) error {
	var given []rules.Approval
	var missing []string
	for _, action := range neededApprovals(*e, lim) {
		approver, err := as.Require(action)
		if err != nil {
			missing = append(missing, action)
			continue
		}
		given = append(given, rules.Approval{ApproverID: approver, Action: action})
	}
	if len(missing) > 0 {
		return rules.ApprovalRequired(missing...)
	}
	if len(given) == 0 {
		return nil
	}
	var ids []string
	for _, a := range given {
		if !slices.Contains(ids, a.ApproverID) {
			ids = append(ids, a.ApproverID)
		}
	}
	e.Approvals, e.ApprovedBy = given, strings.Join(ids, ",")
	return nil
}
