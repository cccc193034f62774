// Package users is the read model of users for the admin list: username, roles, store scope
// and whether the user is disabled. Passwords are never projected.
//
// Table (stable view in schema "users"):
//
//	users  id, username, roles (text[]), store_ids (text[]; empty: every store), disabled,
//	       created_at, updated_at
package users
