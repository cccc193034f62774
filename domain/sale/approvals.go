package sale

import (
	"time"

	"github.com/odata-pos/pos/domain/rules"
)

// assumedApprover stands in for the approver of an approval DecideAsApproved assumes.
const assumedApprover = "(assumed)"

// DecideAsApproved decides c at now like Decide, but when c is refused only for want of a
// manager's approval it decides c again as if that approval were given, until c needs no
// more. It returns every approval c needed beyond its own, in the order asked, and the events
// c would record with them: a caller judges the later commands of a sequence against those
// events, and asks for all the approvals at once, but never records them. A refusal for any
// other reason is returned as is.
func DecideAsApproved(s State, c Command, now time.Time) ([]Event, []string, error) {
	var needs []string
	for {
		events, err := Decide(s, c, now)
		more := rules.RequiredApprovals(err)
		if len(more) == 0 {
			return events, needs, err
		}
		next, ok := assume(c, more)
		if !ok {
			return nil, needs, err
		}
		needs, c = append(needs, more...), next
	}
}

// assume returns c carrying an assumed approval of each of actions; false when c takes no
// approvals or already carries one of them (asking again would never end).
func assume(c Command, actions []string) (Command, bool) {
	switch cc := c.(type) {
	case AddLine:
		return assumeIn(&cc, &cc.Approvals, actions)
	case RemoveLine:
		return assumeIn(&cc, &cc.Approvals, actions)
	case ApplyDiscount:
		return assumeIn(&cc, &cc.Approvals, actions)
	case VoidSale:
		return assumeIn(&cc, &cc.Approvals, actions)
	}
	return c, false
}

// assumeIn adds assumed approvals of actions to *as, the approvals of *c, and returns *c.
func assumeIn[C Command](c *C, as *rules.Approvals, actions []string) (Command, bool) {
	for _, a := range actions {
		if as.Of(a) != nil {
			return *c, false
		}
		*as = as.With(rules.Approval{ApproverID: assumedApprover, Action: a})
	}
	return *c, true
}
