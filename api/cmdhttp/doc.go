// Package cmdhttp is the plumbing every command endpoint shares: the mapping of domain, command
// and event-store errors onto problem+json, the commands.Context built from the request and
// its principal, If-Match / ETag handling, manager approvals from X-Approval-Token (one token
// per action, spent only when a command needs it: see Approved), and the command response
// envelope (revision, position). Area packages (users, catalog, shifts, sales, inventory)
// build their handlers from it so every command behaves alike.
package cmdhttp
