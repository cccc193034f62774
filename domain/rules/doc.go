// Package rules holds what every aggregate shares: the RuleError type with its stable codes,
// the field ValidationError for 422 responses, manager approvals and cashier limits, and the
// Registry through which event types are made known to an event codec.
package rules
