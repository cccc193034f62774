// Package authz is authorization in one place for the O'Data POS API: the role → permission
// table (data, see [DefaultTable]), the [Principal] that authentication puts in the request
// context, store scoping, the [Authorizer] middleware that enforces a permission, and [Routes],
// a route registration helper that will not register a route without an explicit [Access]
// (a permission, [Authenticated] or [Public]).
//
// Because every route goes through Routes, the full list of routes with their access rule is
// known, and package authztest walks every route × every role against the table so that a new
// route cannot ship unprotected.
//
// Store scoping: a principal's StoreIDs lists the stores it may act in. An empty list means
// every store and is allowed only when every role of the principal is admin, auditor or
// analyst ([ValidateStoreScope] enforces it when users are created; [Principal.InStore]
// re-checks it on every request). A cashier of store A gets 403 "store_forbidden" in store B.
//
// Denials are reported as [SecurityEvent]s to a [SecurityRecorder]; [NewSlogRecorder] writes
// them as a structured audit log.
package authz
