package rules

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func TestRuleErrorMatchesByCode(t *testing.T) {
	detailed := ErrDuplicate.With("sku:A1")
	wrapped := fmt.Errorf("claim: %w", detailed)
	if !errors.Is(wrapped, ErrDuplicate) || errors.Is(wrapped, ErrNotFound) {
		t.Fatal("errors.Is by code failed")
	}
	var re *RuleError
	if !errors.As(wrapped, &re) || re.Code != "duplicate" || re.Msg != "already in use: sku:A1" || !re.Conflict {
		t.Fatalf("As = %+v", re)
	}
}

func TestValidator(t *testing.T) {
	var v Validator
	if v.Err() != nil {
		t.Fatal("empty validator fails")
	}
	v.Check(false, "lines[0].quantity", "must be positive")
	v.Check(true, "id", "is required")
	v.Add("currency", "unknown")
	err := v.Err()
	var ve *ValidationError
	if !errors.Is(err, ErrValidation) || !errors.As(err, &ve) || len(ve.Fields) != 2 || ve.Fields[0].Field != "lines[0].quantity" {
		t.Fatalf("err = %v", err)
	}
}

func TestText(t *testing.T) {
	var v Validator
	ok := []bool{v.Text("a", "kept <b>\"verbatim\"</b>", 30), v.Text("b", "12345", 4), v.Text("c", "tab\there", 30), v.Text("d", "ééé", 3)}
	if !ok[0] || ok[1] || ok[2] || !ok[3] {
		t.Fatalf("Text reported %v", ok)
	}
	var ve *ValidationError
	if !errors.As(v.Err(), &ve) || len(ve.Fields) != 2 || ve.Fields[0].Field != "b" || ve.Fields[1].Field != "c" {
		t.Fatalf("err = %v", v.Err())
	}
}

func TestJoin(t *testing.T) {
	var v Validator
	if v.Join(nil) != nil {
		t.Fatal("nothing joined fails")
	}
	if err := v.Join(ErrNotFound); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refusal for another reason = %v", err)
	}
	v.Add("a", "first")
	if err := v.Join(ErrNotFound); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refusal for another reason with problems = %v", err)
	}
	err := v.Join(&ValidationError{Fields: []FieldError{{"a", "again"}, {"b", "second"}}})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 2 || ve.Fields[0].Message != "first" || ve.Fields[1].Field != "b" {
		t.Fatalf("joined = %v", err)
	}
	if err := v.Join(nil); !errors.As(err, &ve) || len(ve.Fields) != 1 {
		t.Fatalf("own problems alone = %v", err)
	}
}

func TestRequire(t *testing.T) {
	tests := []struct {
		name string
		a    *Approval
		ok   bool
	}{
		{"no approval", nil, false},
		{"another action", &Approval{ApproverID: "m", Action: ActionSaleVoid}, false},
		{"no approver", &Approval{Action: ActionSaleDiscount}, false},
		{"the action", &Approval{ApproverID: "m", Action: ActionSaleDiscount}, true},
	}
	for _, tt := range tests {
		err := Require(tt.a, ActionSaleDiscount)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
		var re *RuleError
		if err != nil && (!errors.Is(err, ErrApprovalRequired) || !errors.As(err, &re) || re.Action != ActionSaleDiscount) {
			t.Errorf("%s: %v does not name the action", tt.name, err)
		}
	}
}

func TestApprovals(t *testing.T) {
	var none Approvals
	if _, err := none.Require(ActionSaleVoid); !errors.Is(err, ErrApprovalRequired) {
		t.Fatalf("nil set approved: %v", err)
	}
	one := none.With(Approval{ApproverID: "m1", Action: ActionSalePriceOverride})
	two := one.With(Approval{ApproverID: "m2", Action: ActionSaleDiscount})
	if len(one) != 1 || len(two) != 2 {
		t.Fatalf("With changed its receiver: %v %v", one, two)
	}
	if by, err := two.Require(ActionSaleDiscount); err != nil || by != "m2" {
		t.Fatalf("discount: %q %v", by, err)
	}
	if by, err := two.Require(ActionSalePriceOverride); err != nil || by != "m1" {
		t.Fatalf("override: %q %v", by, err)
	}
	if _, err := two.Require(ActionSaleVoid); !reflect.DeepEqual(RequiredApprovals(err), []string{ActionSaleVoid}) {
		t.Fatalf("void: %v", err)
	}
	if two.Of(ActionSaleVoid) != nil || ApprovalsOf(Approval{ApproverID: "m", Action: ActionSaleVoid}).Of(ActionSaleVoid) == nil {
		t.Fatal("Of")
	}
}

func TestApprovalRequiredNamesEveryAction(t *testing.T) {
	err := fmt.Errorf("add line: %w", ApprovalRequired(ActionSalePriceOverride, ActionSaleDiscount, ActionSalePriceOverride))
	if got := RequiredApprovals(err); !reflect.DeepEqual(got, []string{ActionSalePriceOverride, ActionSaleDiscount}) {
		t.Fatalf("actions %v", got)
	}
	var re *RuleError
	if !errors.Is(err, ErrApprovalRequired) || !errors.As(err, &re) || re.Action != ActionSalePriceOverride {
		t.Fatalf("%v", err)
	}
	if want := "add line: a manager's approval is required (sale.price_override, sale.discount)"; err.Error() != want {
		t.Fatalf("message %q", err.Error())
	}
	if RequiredApprovals(ErrNotFound) != nil || RequiredApprovals(nil) != nil {
		t.Fatal("other errors name actions")
	}
}
