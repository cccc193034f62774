// Package user is the user aggregate: a person who logs in, with roles and the stores they
// may act in. Its history (registered, roles changed, store scope changed, password changed,
// disabled, enabled) is the audit trail of who could do what, and when.
//
// Passwords never enter an event: the password hash lives in a separate credential store
// written beside the PasswordChanged event, so an event log export never carries a secret.
// Usernames are made unique by a reservation stream (domain/reservation), not by a read model.
package user
