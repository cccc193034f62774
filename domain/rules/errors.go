package rules

import (
	"errors"
	"strings"
)

// RuleError is a business rule violation with a stable, machine-readable Code. Sentinels are
// declared as *RuleError values; errors.Is matches any RuleError with the same Code, so a
// sentinel with added detail (see With) still matches its sentinel.
type RuleError struct {
	// Code is stable and goes to clients verbatim (for example "sale_closed").
	Code string
	// Msg is a human-readable, lowercase description.
	Msg string
	// Action is the approval action that would allow the command, for approval_required;
	// the first of Actions when the command needs several.
	Action string
	// Actions are all the approval actions the command needs, for approval_required (see
	// ApprovalRequired); empty when it needs only Action.
	Actions []string
	// Conflict marks violations caused by the current state of an aggregate (HTTP 409) rather
	// than by the command itself (HTTP 422).
	Conflict bool
}

// Error implements error.
func (e *RuleError) Error() string {
	if len(e.Actions) > 1 {
		return e.Msg + " (" + strings.Join(e.Actions, ", ") + ")"
	}
	if e.Action != "" {
		return e.Msg + " (" + e.Action + ")"
	}
	return e.Msg
}

// Is reports whether target is a RuleError with the same Code.
func (e *RuleError) Is(target error) bool {
	var t *RuleError
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code
}

// With returns a copy of e whose message has detail appended; it still matches e with errors.Is.
func (e *RuleError) With(detail string) *RuleError {
	c := *e
	c.Msg = e.Msg + ": " + detail
	return &c
}

// Shared rule sentinels used by several aggregates.
var (
	// ErrApprovalRequired: the command needs a manager's approval for an action (see Action).
	ErrApprovalRequired = &RuleError{Code: "approval_required", Msg: "a manager's approval is required"}
	// ErrNotFound: the aggregate does not exist (has no events).
	ErrNotFound = &RuleError{Code: "not_found", Msg: "not found", Conflict: true}
	// ErrAlreadyExists: a creating command was sent to an aggregate that already exists with
	// different data.
	ErrAlreadyExists = &RuleError{Code: "already_exists", Msg: "already exists", Conflict: true}
	// ErrDuplicate: a unique key (SKU, barcode, username, code) is held by someone else.
	ErrDuplicate = &RuleError{Code: "duplicate", Msg: "already in use", Conflict: true}
	// ErrIDReused: a client-generated ID was sent again with different content.
	ErrIDReused = &RuleError{Code: "id_reused", Msg: "id already used with different content", Conflict: true}
	// ErrCurrencyMismatch: an amount is not in the currency of the store or document.
	ErrCurrencyMismatch = &RuleError{Code: "currency_mismatch", Msg: "currency does not match"}
	// ErrUnknownCommand: the decider was given a command type it does not handle.
	ErrUnknownCommand = &RuleError{Code: "unknown_command", Msg: "unknown command"}
)

// FieldError is one invalid field of a command, addressed by a path such as
// "lines[0].quantity".
type FieldError struct {
	// Field is the JSON path of the field.
	Field string `json:"field"`
	// Message says what is wrong, lowercase.
	Message string `json:"message"`
}

// ValidationError lists every invalid field of a command at once (HTTP 422, code
// "validation_failed").
type ValidationError struct {
	// Fields are the individual problems in the order found.
	Fields []FieldError
}

// ErrValidation is the sentinel every ValidationError matches with errors.Is.
var ErrValidation = &RuleError{Code: "validation_failed", Msg: "validation failed"}

// Error implements error.
func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrValidation) true.
func (v *ValidationError) Is(target error) bool { return target == ErrValidation }

// Validator collects field errors; the zero value is ready to use.
type Validator struct {
	fields []FieldError
}

// Add records a problem with field.
func (v *Validator) Add(field, message string) {
	v.fields = append(v.fields, FieldError{field, message})
}

// Check records a problem with field when ok is false.
func (v *Validator) Check(ok bool, field, message string) {
	if !ok {
		v.Add(field, message)
	}
}

// Err returns a *ValidationError listing every problem, or nil when there were none.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: append([]FieldError(nil), v.fields...)}
}
