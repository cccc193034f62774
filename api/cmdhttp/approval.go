package cmdhttp

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
)

// ApprovalConsumer spends approval tokens; *auth.Approvals implements it.
type ApprovalConsumer interface {
	Consume(ctx context.Context, token string, u auth.Use) (approverID string, err error)
}

// approvalRounds bounds how often Approved spends tokens for one request: a command names every
// approval it needs at once, so a second round happens only when the resource changed between
// the runs and now needs another approval.
const approvalRounds = 3

// ApprovalTokens are the manager approval tokens a request carries in X-Approval-Token. The
// header may be repeated, and each holds one token or a comma-separated list. A token is bare
// ("apv_…") or labelled with the action it approves ("sale.discount=apv_…"). A label only
// says which token to spend for which action: the action the token was issued for decides, and
// a token spent for another action is refused and gone. Each action is labelled at most once,
// and at most one token is bare: it serves the one needed action that no label names.
type ApprovalTokens struct {
	labelled map[string]string
	bare     string
	used     map[string]bool
}

// errApprovalTokens is the 400 of a malformed X-Approval-Token.
func errApprovalTokens(detail string) error {
	return httpx.BadRequest("invalid_approval_tokens", "X-Approval-Token: "+detail)
}

// ParseApprovalTokens reads the approval tokens of r; a malformed header is a 400
// invalid_approval_tokens.
func ParseApprovalTokens(r *http.Request) (ApprovalTokens, error) {
	t := ApprovalTokens{labelled: map[string]string{}, used: map[string]bool{}}
	for _, v := range r.Header.Values(HeaderApprovalToken) {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			action, token, labelled := strings.Cut(item, "=")
			action, token = strings.TrimSpace(action), strings.TrimSpace(token)
			switch {
			case !labelled && t.bare != "":
				return ApprovalTokens{}, errApprovalTokens("several tokens must each be labelled with their action (action=token)")
			case !labelled:
				t.bare = item
			case !auth.Action(action).Valid():
				return ApprovalTokens{}, errApprovalTokens("unknown action " + quoteShort(action))
			case token == "":
				return ApprovalTokens{}, errApprovalTokens("no token for " + action)
			case t.labelled[action] != "":
				return ApprovalTokens{}, errApprovalTokens("two tokens for " + action)
			default:
				t.labelled[action] = token
			}
		}
	}
	return t, nil
}

// quoteShort quotes s for a problem detail, cut to a sane length.
func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strconv.Quote(s)
}

// Empty reports whether the request carries no token.
func (t ApprovalTokens) Empty() bool { return t.bare == "" && len(t.labelled) == 0 }

// assign returns the token to spend for each of actions: the one labelled with the action,
// else the bare token when exactly one action is left without a label. ok is false, and
// nothing assigned, when an action has no token; ambiguous is then true when a bare token was
// there but could serve more than one action.
func (t ApprovalTokens) assign(actions []string) (tokens map[string]string, ok, ambiguous bool) {
	tokens = map[string]string{}
	var open []string
	for _, a := range actions {
		if tok := t.labelled[a]; tok != "" && !t.used[a] {
			tokens[a] = tok
		} else {
			open = append(open, a)
		}
	}
	bare := t.bare != "" && !t.used[""]
	switch {
	case len(open) == 0:
		return tokens, true, false
	case len(open) == 1 && bare:
		tokens[open[0]] = t.bare
		return tokens, true, false
	}
	return nil, false, bare
}

// spent marks the token spent for action.
func (t ApprovalTokens) spent(action, token string) {
	if t.labelled[action] == token {
		t.used[action] = true
		return
	}
	t.used[""] = true
}

// Approved runs a command that may need managers' approvals: first with none. Only when the
// command is refused for want of approvals (a refusal names every approval it needs) are the
// request's tokens for exactly those actions spent, each bound to its action and resourceID,
// and the command run again with them, the approvers recorded in cmd's metadata:
//
//   - when a needed action has no token, nothing is spent and the refusal is returned (422
//     approval_required naming every action needed), so the client asks for the missing
//     approvals and sends them with the ones it has;
//   - a token for an action the command does not need is not spent;
//   - a token spent for an action it does not approve (or for another resource, or expired,
//     or already used, or asked for by another session than the request's, or by a manager
//     of another store than cmd's) fails the request with 403 approval_invalid, and is gone.
//
// A retried request that replays finds its events and spends nothing.
func Approved(r *http.Request, approvals ApprovalConsumer, resourceID string, cmd *commands.Context, run func(rules.Approvals) error) error {
	tokens, err := ParseApprovalTokens(r)
	if err != nil {
		return err
	}
	var session string
	if c, ok := auth.ClaimsFrom(r.Context()); ok {
		session = c.SessionID
	}
	var have rules.Approvals
	for round := 0; ; round++ {
		err := run(have)
		needs := rules.RequiredApprovals(err)
		if len(needs) == 0 || tokens.Empty() || approvals == nil || round == approvalRounds {
			return err
		}
		spend, ok, ambiguous := tokens.assign(needs)
		if !ok {
			return missingApprovals(err, ambiguous)
		}
		for _, action := range needs {
			approver, cerr := approvals.Consume(r.Context(), spend[action], auth.Use{Action: auth.Action(action),
				ResourceID: resourceID, StoreID: cmd.StoreID, SessionID: session})
			tokens.spent(action, spend[action])
			if cerr != nil {
				return cerr
			}
			have = have.With(rules.Approval{ApproverID: approver, Action: action})
		}
		cmd.ApproverID = approvers(have)
	}
}

// missingApprovals returns the refusal err of a command whose approvals are not all there;
// when a bare token could serve several of them it says to label the tokens.
func missingApprovals(err error, ambiguous bool) error {
	var re *rules.RuleError
	if !ambiguous || !errors.As(err, &re) {
		return err
	}
	return re.With("send one token per action, each labelled with its action (action=token)")
}

// approvers returns the approvers of as for the events' approver_id metadata: one ID, or
// several distinct ones (by action name order) joined with commas. The events themselves
// record each action's approver.
func approvers(as rules.Approvals) string {
	actions := make([]string, 0, len(as))
	for a := range as {
		actions = append(actions, a)
	}
	slices.Sort(actions)
	var ids []string
	for _, a := range actions {
		if id := as[a].ApproverID; !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, ",")
}
