package cmdhttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
)

// fakeApprovals knows tokens by the action they were issued for; every token is single-use,
// and spent whatever the outcome, like auth.Approvals.
type fakeApprovals struct {
	issued map[string]auth.Action
	spent  []string
}

func (f *fakeApprovals) Consume(_ context.Context, token string, u auth.Use) (string, error) {
	f.spent = append(f.spent, token)
	a, ok := f.issued[token]
	delete(f.issued, token)
	if !ok || a != u.Action {
		return "", auth.ErrApprovalInvalid
	}
	return "mgr-" + token, nil
}

func approvalRequest(values ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/sales/x/lines", nil)
	for _, v := range values {
		r.Header.Add(cmdhttp.HeaderApprovalToken, v)
	}
	return r
}

func TestParseApprovalTokens(t *testing.T) {
	for _, ok := range [][]string{
		nil,
		{"apv_1"},
		{"sale.discount=apv_1", "sale.price_override=apv_2"},
		{"sale.discount=apv_1, sale.price_override = apv_2", "apv_3"},
		{" , apv_1 ,"},
	} {
		if _, err := cmdhttp.ParseApprovalTokens(approvalRequest(ok...)); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range [][]string{
		{"apv_1, apv_2"},
		{"apv_1", "apv_2"},
		{"sale.discount=apv_1", "sale.discount=apv_2"},
		{"sale.refund=apv_1"},
		{"sale.discount="},
	} {
		_, err := cmdhttp.ParseApprovalTokens(approvalRequest(bad...))
		var he *httpx.Error
		if !errors.As(err, &he) || he.Kind.Status() != http.StatusBadRequest || he.Code != "invalid_approval_tokens" {
			t.Errorf("%q: %v, want 400 invalid_approval_tokens", bad, err)
		}
	}
}

// needing is a command that needs approvals of actions: refused naming every one it lacks.
func needing(actions ...string) (run func(rules.Approvals) error, got *rules.Approvals) {
	got = new(rules.Approvals)
	return func(as rules.Approvals) error {
		var missing []string
		for _, a := range actions {
			if _, err := as.Require(a); err != nil {
				missing = append(missing, a)
			}
		}
		if len(missing) > 0 {
			return rules.ApprovalRequired(missing...)
		}
		*got = as
		return nil
	}, got
}

func TestApprovedSpendsOneTokenPerNeededAction(t *testing.T) {
	both := []string{rules.ActionSalePriceOverride, rules.ActionSaleDiscount}
	issued := func() *fakeApprovals {
		return &fakeApprovals{issued: map[string]auth.Action{"po": auth.ActionSalePriceOverride, "disc": auth.ActionSaleDiscount, "void": auth.ActionSaleVoid}}
	}
	cases := []struct {
		name    string
		headers []string
		needs   []string
		code    string // "" for success
		spent   []string
	}{
		{"two labelled tokens, repeated header", []string{"sale.price_override=po", "sale.discount=disc"}, both, "", []string{"po", "disc"}},
		{"two labelled tokens, one list", []string{"sale.discount=disc, sale.price_override=po"}, both, "", []string{"po", "disc"}},
		{"a bare token serves the one action no label names", []string{"sale.price_override=po, disc"}, both, "", []string{"po", "disc"}},
		{"one bare token for one action", []string{"disc"}, []string{rules.ActionSaleDiscount}, "", []string{"disc"}},
		{"a token for an action not needed is not spent", []string{"sale.void=void, sale.discount=disc"}, []string{rules.ActionSaleDiscount}, "", []string{"disc"}},
		{"no approval needed: nothing spent", []string{"sale.void=void"}, nil, "", nil},
		{"a missing approval: nothing spent", []string{"sale.price_override=po"}, both, "approval_required", nil},
		{"one bare token for two actions: nothing spent", []string{"po"}, both, "approval_required", nil},
		{"a mislabelled token is refused and gone", []string{"sale.price_override=disc, sale.discount=po"}, both, "approval_invalid", []string{"disc"}},
		{"a bare token for another action is refused and gone", []string{"void"}, []string{rules.ActionSaleDiscount}, "approval_invalid", []string{"void"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := issued()
			run, got := needing(tc.needs...)
			cmd := commands.Context{}
			err := cmdhttp.Approved(approvalRequest(tc.headers...), f, "sale-1", &cmd, run)
			if !slices.Equal(f.spent, tc.spent) {
				t.Fatalf("spent %v, want %v", f.spent, tc.spent)
			}
			if tc.code == "" {
				if err != nil || len(*got) != len(tc.needs) {
					t.Fatalf("err %v, approvals %v", err, *got)
				}
				if len(tc.needs) > 0 && !strings.HasPrefix(cmd.ApproverID, "mgr-") {
					t.Fatalf("approver metadata %q", cmd.ApproverID)
				}
				return
			}
			var re *rules.RuleError
			if errors.As(err, &re) {
				if re.Code != tc.code || !reflect.DeepEqual(rules.RequiredApprovals(err), tc.needs) {
					t.Fatalf("err %v, want %s naming %v", err, tc.code, tc.needs)
				}
				return
			}
			if e, ok := cmdhttp.MapError(err); !ok || e.Code != tc.code || e.Kind.Status() != http.StatusForbidden {
				t.Fatalf("err %v, want %s", err, tc.code)
			}
		})
	}
}

func TestApprovedRecordsEveryApprover(t *testing.T) {
	f := &fakeApprovals{issued: map[string]auth.Action{"a": auth.ActionSalePriceOverride, "b": auth.ActionSaleDiscount}}
	run, _ := needing(rules.ActionSalePriceOverride, rules.ActionSaleDiscount)
	cmd := commands.Context{}
	if err := cmdhttp.Approved(approvalRequest("sale.price_override=a", "sale.discount=b"), f, "s", &cmd, run); err != nil {
		t.Fatal(err)
	}
	if cmd.ApproverID != "mgr-b,mgr-a" { // by action name: sale.discount, sale.price_override
		t.Fatalf("approver metadata %q", cmd.ApproverID)
	}
}

// FuzzParseApprovalTokens: any X-Approval-Token header is either refused with a 400 or
// parsed, and a parsed one spends no token twice and none that was not sent.
func FuzzParseApprovalTokens(f *testing.F) {
	f.Add("apv_1", "")
	f.Add("sale.discount=apv_1, sale.price_override=apv_2", "apv_3")
	f.Add("sale.void=,,", "=")
	f.Fuzz(func(t *testing.T, a, b string) {
		r := approvalRequest(a, b)
		tokens, err := cmdhttp.ParseApprovalTokens(r)
		if err != nil {
			var e *httpx.Error
			if !errors.As(err, &e) || e.Kind.Status() != http.StatusBadRequest {
				t.Fatalf("%q %q: %v", a, b, err)
			}
			return
		}
		sent := slices.ContainsFunc(strings.Split(a+","+b, ","), func(item string) bool { return strings.TrimSpace(item) != "" })
		if tokens.Empty() == sent {
			t.Fatalf("%q %q: empty = %v", a, b, tokens.Empty())
		}
		f := &fakeApprovals{issued: map[string]auth.Action{}}
		run, _ := needing(rules.ActionSalePriceOverride, rules.ActionSaleDiscount, rules.ActionSaleVoid)
		_ = cmdhttp.Approved(r, f, "s", &commands.Context{}, run)
		for i, tok := range f.spent {
			if slices.Contains(f.spent[:i], tok) || !strings.Contains(a+","+b, tok) {
				t.Fatalf("%q %q: spent %v", a, b, f.spent)
			}
		}
	})
}
