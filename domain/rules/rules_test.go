package rules

import (
	"errors"
	"fmt"
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
